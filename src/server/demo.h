/* demo: a deterministic generator of realistic demo content for `hotlined demo-data`. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/model.h"
#include "workflow.h"

/*
 * Pure and deterministic: the same (rules, calendar, zone, now, seed, n, categories)
 * give byte-identical output; the PRNG is our own (splitmix64), never rand().
 *
 * What it makes:
 * - 14 responsible units of a fictional city: water 市自来水公司, gas 市燃气集团,
 *   power 国网市供电公司, urban_mgmt 市城市管理局, housing 市住房和城乡建设局,
 *   transport 市交通运输局, env 市生态环境局, market 市市场监督管理局,
 *   hr_social 市人力资源和社会保障局, health 市卫生健康委员会, education 市教育局,
 *   police_nonemg 市公安局（非警务类警情）, street_dongcheng 东城区东湖街道办事处,
 *   street_xicheng 西城区西湖街道办事处;
 * - users, every one with the demo password DEMO_PASSWORD ("demo1234"):
 *   agent01..agent06 (agent), sup01 (supervisor), admin (admin), and one unit user
 *   per unit, "u_<unit code>" (e.g. u_water);
 * - n tickets accepted during the 30 days before now, each built by workflow_create
 *   and workflow_apply at simulated past instants (an action the rules refuse at its
 *   simulated time is retimed to the verdict's possible_from when that is still in
 *   the past, else skipped: nothing is forced), covering every status, resolution,
 *   nature and channel; repeat callers, a cluster of 6 callers on one category and
 *   location (西城区文化路夜市, urban.env.social_noise when that code is given),
 *   confidential callers, emergencies, overdue and near-due tickets, returns and
 *   re-dispatch, extensions, urges, supervision, dissatisfied callbacks and redo;
 * - call records for the answer-rate and waiting-time KPIs: about 100 + n/5 calls a
 *   day over the 30 days, plus the call behind every phone ticket.
 *
 * Tickets get ids HL<local date>-<6-digit daily sequence> in creation order and
 * version = number of events (one per change); a store may assign its own ids.
 * Flags: repeat_caller = the same (normalised) phone has another ticket within 30
 * days; cluster = at least rules_cluster_min_callers different phones with tickets of
 * the same category and location within rules_cluster_days of the ticket; the other
 * flags are workflow_flags at now.
 */

#define DEMO_PASSWORD "demo1234"
#define DEMO_DEFAULT_TICKETS 300
#define DEMO_MAX_TICKETS 200000

/* A responsible unit. */
struct demo_unit {
    char *code;
    char *name;
};

/* A user with its plain demo password (the CLI hashes it). */
struct demo_user {
    struct user user;
    char *password;
};

/* Everything generated; every array and string is owned. */
struct demo_data {
    struct demo_unit *units;
    size_t n_units;
    struct demo_user *users;
    size_t n_users;
    struct ticket *tickets;       /* embedded, oldest first */
    size_t n_tickets;
    struct call_record *calls;    /* embedded, by offered_at */
    size_t n_calls;
};

/* Generate demo data for the 30 days before now. n_tickets <= 0 gives
 * DEMO_DEFAULT_TICKETS; more than DEMO_MAX_TICKETS is capped. categories are the
 * category codes tickets may use (the leaves of data/categories-cn.json; borrowed for
 * the call); NULL or empty uses the codes of the built-in templates. Returns NULL when
 * c lacks rules or a zone. Free with demo_free. */
struct demo_data *demo_generate(const struct wf_ctx *c, hl_time now, uint32_t seed,
                                int n_tickets, const char *const *categories,
                                size_t n_categories);
/* Free demo data and NULL the pointer; accepts NULL. */
void demo_free(struct demo_data **d);
