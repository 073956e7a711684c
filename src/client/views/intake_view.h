/* intake_view: the state of the intake tab, shared by its files (intake.c keys and life
 * cycle, intake_draw.c drawing, intake_net.c the server). Private to the tab. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "api.h"
#include "hotline/codec.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "outbox.h"
#include "ui/datetime.h"
#include "ui/input.h"
#include "ui/layout.h"
#include "ui/list.h"
#include "ui/picker.h"
#include "ui/textarea.h"
#include "views/intake_form.h"

struct app;

/* Pause after a keystroke before the knowledge-base suggestions are asked for, ms: none,
 * the search starts in the same turn of the loop, after every key already read. While a
 * round is in flight the next one waits for its answers (kb_again), so fast typing costs
 * one round at a time and no connection is dropped. */
#define INTAKE_KB_DEBOUNCE_MS 0
/* A round in flight longer than this, ms, is cancelled for the newer text rather than
 * waited for (a stuck answer must not hold the suggestions back until the call times out). */
#define INTAKE_KB_STALE_MS 1000
/* Debounce of the draft file after a change, ms. */
#define INTAKE_DRAFT_DEBOUNCE_MS 500
/* The hold reminder's period, ms. */
#define INTAKE_HOLD_REMIND_MS 30000
/* Most tickets of a caller's history kept. */
#define INTAKE_HISTORY_MAX 20
/* Most suggestions kept. */
#define INTAKE_SUGGEST_MAX 12
/* Results asked per search. */
#define INTAKE_KB_LIMIT 5
/* Searches of one round: the terms and the category. */
#define INTAKE_KB_CALLS (INTAKE_MAX_TERMS + 1)

/* What covers the form and takes the keys. */
enum intake_modal {
    INTAKE_MODAL_NONE,
    INTAKE_MODAL_CATEGORY,      /* the category picker */
    INTAKE_MODAL_ANSWER,        /* answer directly: articles and the answer text */
    INTAKE_MODAL_DISPATCH,      /* create a work order: units, lead, deadline */
};

/* Where the call is. */
enum intake_stage {
    INTAKE_IDLE,                /* no call: F2 starts one */
    INTAKE_FORM,                /* a call: the form */
    INTAKE_SENDING,             /* create + action under way */
    INTAKE_DONE,                /* the result: the number to read out */
};

/* One suggestion. */
struct intake_suggest {
    struct article a;           /* owned */
    int hits;                   /* searches of the round that found it */
    bool chosen;                /* picked for the direct answer */
    bool notice;                /* an emergency notice for the caller's area (pinned) */
    uint64_t body_call;         /* GET /kb/{id} under way for the body */
};

/* The ending being sent. */
struct intake_send {
    bool order;                 /* a work order (dispatch), else a direct answer */
    struct action_body body;    /* the action after the create */
    char idem_key[OUTBOX_KEY_SIZE];
    uint64_t call;              /* create or action under way */
    char *ticket_id;            /* once created */
    int64_t version;
};

/* The outcome shown to read out. */
struct intake_result {
    bool order;
    bool provisional;           /* queued in the outbox: a local placeholder number */
    bool action_failed;         /* created, but the action was refused (message says why) */
    char id[64];
    char *unit;                 /* the lead unit's name (order) */
    hl_time due;                /* the deadline (server's, or the estimate when queued) */
    char *message;              /* a sentence on what happened */
    char *phrase;               /* what to say now (transfer or after-answer phrase) */
};

/* The tab's state (zeroed before open). */
struct intake_view {
    struct app *app;
    enum intake_stage stage;
    struct intake_form form;
    enum intake_field focus;
    struct input in[INTAKE_F_COUNT];    /* the one-line text fields */
    struct datetime_field due;          /* the caller's time limit */
    struct textarea desc;
    int desc_width;                     /* the description's width when last drawn */
    char *problem;                      /* the last check's first problem (msgid), or NULL */

    char call_id[OUTBOX_KEY_SIZE];      /* the call's UUID, made at F2 ("" before) */
    bool call_recorded;                 /* its events went to POST /calls */
    uint64_t tick_timer;                /* 1 s: the call and hold clocks */
    bool on_hold;
    hl_time hold_since;
    uint64_t hold_timer;
    bool bell;                          /* ring on hold reminders */

    char *draft_path;
    uint64_t draft_timer;

    /* The caller's history. */
    char hist_key[40];                  /* canonical number looked up; "" none */
    struct ticket *hist;
    size_t nhist;
    bool hist_server;                   /* the list came from the server (else the cache) */
    uint64_t hist_call;
    char *hist_error;

    /* Knowledge-base suggestions. */
    uint64_t kb_timer;
    uint64_t kb_calls[INTAKE_KB_CALLS];
    unsigned kb_round;                  /* current round */
    unsigned kb_pool_round;             /* round the pool belongs to */
    bool kb_again;                      /* the text changed while a round was in flight */
    int64_t kb_round_ms;                /* when the round in flight started (loop_now_ms) */
    struct intake_suggest *sugg;
    size_t nsugg;
    struct article *notices;            /* current emergency notices */
    size_t nnotices;
    uint64_t notice_call;

    /* The right side: phrases instead of history and suggestions. */
    bool phrases;

    enum intake_modal modal;
    struct picker picker;               /* category or units */
    struct picker_item *items;          /* the picker's items (strings borrowed from meta) */
    size_t nitems;
    /* answer */
    struct list ans_list;
    struct textarea answer;
    bool answer_edited;
    int ans_focus;                      /* 0 the articles, 1 the text */
    int answer_width;
    /* dispatch */
    int lead;                           /* index into items, -1 none */
    bool *assist;                       /* per item */
    struct rule_due due_est;            /* the deadline computed here */
    bool due_known;

    struct intake_send send;
    struct intake_result result;
};

/* intake.c: sync the widgets from the form (restore, new call). */
void intake_view_load_widgets(struct intake_view *v);
/* intake.c: the form changed: schedule the draft, and the searches when the text changed. */
void intake_view_changed(struct intake_view *v, enum intake_field field);
/* intake.c: fill the answer from the chosen articles again (unless the agent edited it). */
void intake_view_prefill(struct intake_view *v);
/* intake.c: end the call (result dismissed or form discarded): timers, draft, state. */
void intake_view_end_call(struct intake_view *v);
/* intake.c: show the outcome of an ending. */
void intake_view_show_result(struct intake_view *v);

/* intake_draw.c: draw the tab. */
void intake_draw_view(struct intake_view *v, WINDOW *w, const struct rect *r);

/* intake_net.c: look the caller's number up (cache at once, then the server) when complete
 * and different from the last lookup; force: look up again anyway. */
void intake_net_history(struct intake_view *v, bool force);
/* intake_net.c: forget the history and cancel its call. */
void intake_net_history_clear(struct intake_view *v);
/* intake_net.c: run a round of suggestion searches now (the debounce fired). */
void intake_net_suggest(struct intake_view *v);
/* intake_net.c: forget the suggestions and cancel their calls. */
void intake_net_suggest_clear(struct intake_view *v);
/* True while a round of suggestion searches is in flight. */
bool intake_net_suggest_busy(const struct intake_view *v);
/* intake_net.c: fetch the current emergency notices. */
void intake_net_notices(struct intake_view *v);
/* intake_net.c: fetch the body of suggestion i when it is not known (for the answer). */
void intake_net_article(struct intake_view *v, size_t i);
/* intake_net.c: the suggestions in display order (pinned notices first) into order (nsugg
 * entries); returns how many. */
size_t intake_net_order(const struct intake_view *v, size_t *order);
/* intake_net.c: send the form with the ending in v->send (create, then the action), or queue
 * both in the outbox when the server is away. */
void intake_net_send(struct intake_view *v);
/* intake_net.c: cancel every call (closing). */
void intake_net_cancel_all(struct intake_view *v);
/* intake_net.c: release the send and result state. */
void intake_net_send_fini(struct intake_view *v);
