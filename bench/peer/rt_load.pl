#!/usr/bin/perl
# bench/peer/rt_load.pl: load tickets into Request Tracker 5 for bench/peer.sh.
#
#   RT_SITE_CONFIG_DIR=... perl rt_load.pl TICKETS.jsonl OUT_DIR
#
# One ticket per line of TICKETS.jsonl (bench/gen_kb.py --jsonl: title -> Subject, body ->
# the create transaction's text/plain content) in queue General, created by root through
# RT's own API (RT::Ticket->Create: transactions, scrips, ACL checks, as REST2 would),
# 500 per database transaction; writes the ticket ids to OUT_DIR/ids. Sets root's password
# to $RT_ROOT_PASSWORD when given (the REST client logs in with it).
use strict;
use warnings;
use lib '/usr/share/request-tracker5/lib';
use RT;
use Encode qw(encode);
use JSON qw(decode_json);
use MIME::Entity;

my ($path, $out) = @ARGV;
die "usage: rt_load.pl TICKETS.jsonl OUT_DIR\n" unless defined $out;
RT::LoadConfig();
RT::Init();
my $root = RT::CurrentUser->new(RT->SystemUser);
$root->Load('root');
die "no root user\n" unless $root->id;
if (defined $ENV{RT_ROOT_PASSWORD}) {
    my ($ok, $msg) = $root->UserObj->SetPassword($ENV{RT_ROOT_PASSWORD});
    die "root password: $msg\n" unless $ok;
}

open my $in, '<:raw', $path or die "$path: $!\n";
my @ids;
my $n = 0;
$RT::Handle->BeginTransaction;
while (my $line = <$in>) {
    next unless $line =~ /\S/;
    my $a = decode_json($line);
    my $mime = MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8',
                                   Data => [encode('UTF-8', $a->{body})]);
    my $t = RT::Ticket->new($root);
    my ($id, undef, $msg) = $t->Create(Queue => 'General', Subject => $a->{title}, MIMEObj => $mime);
    die "ticket $n: $msg\n" unless $id;
    push @ids, $id;
    if (++$n % 500 == 0) {
        $RT::Handle->Commit;
        $RT::Handle->BeginTransaction;
    }
}
$RT::Handle->Commit;
open my $o, '>', "$out/ids" or die "$out/ids: $!\n";
print $o "$_\n" for @ids;
close $o or die "$out/ids: $!\n";
print "rt: $n tickets in queue General\n";
