# bench/peer/redmine_load.rb: configure a Redmine instance for bench/peer.sh and load tickets.
#
#   cd /usr/share/redmine && REDMINE_INSTANCE=... RAILS_ENV=production \
#       ruby -r ./config/environment redmine_load.rb TICKETS.jsonl OUT_DIR
#
# Enables the REST API, makes the admin's API key, creates the project "hotline" and one
# issue per line of TICKETS.jsonl (bench/gen_kb.py --jsonl: title -> subject, body ->
# description) through ActiveRecord (validations and callbacks, as the REST API would),
# then writes OUT_DIR/api_key, OUT_DIR/project_id, OUT_DIR/tracker_id, OUT_DIR/ids.
require 'json'

path, out = ARGV
abort 'usage: redmine_load.rb TICKETS.jsonl OUT_DIR' unless path && out

Setting.rest_api_enabled = '1'
admin = User.find_by_login('admin')
admin.must_change_passwd = false
admin.save!
key = admin.api_key

tracker = Tracker.find_by_name('Support') || Tracker.first
project = Project.find_by_identifier('hotline') ||
          Project.create!(name: 'hotline', identifier: 'hotline', is_public: true,
                          tracker_ids: Tracker.pluck(:id), enabled_module_names: ['issue_tracking'])
priority = IssuePriority.default || IssuePriority.first

lines = File.readlines(path, chomp: true).reject(&:empty?)
lines.each_slice(500) do |slice|
  Issue.transaction do
    slice.each do |line|
      a = JSON.parse(line)
      Issue.create!(project: project, tracker: tracker, author: admin, priority: priority,
                    subject: a['title'][0, 255], description: a['body'])
    end
  end
end

File.write(File.join(out, 'api_key'), key + "\n")
File.write(File.join(out, 'project_id'), "#{project.id}\n")
File.write(File.join(out, 'tracker_id'), "#{tracker.id}\n")
File.write(File.join(out, 'ids'), Issue.where(project_id: project.id).order(:id).pluck(:id).join("\n") + "\n")
puts "redmine: #{Issue.where(project_id: project.id).count} issues in project #{project.identifier}"
