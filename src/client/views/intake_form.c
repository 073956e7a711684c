/* intake_form: the intake form's data and rules without a terminal: validation, the
 * confidentiality prompt, the ticket it makes, the draft file, history and suggestions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/datetime.h"
#include "views/intake_form.h"
#include "xdg.h"

/* Per field: how it is edited, its label and its longest text. */
static const struct {
    enum intake_kind kind;
    const char *label;
    size_t max;
    const char *key;           /* member name in the draft */
} fields[INTAKE_F_COUNT] = {
    [INTAKE_F_PHONE] = {INTAKE_KIND_TEXT, N_("Phone"), INTAKE_MAX_SHORT, "phone"},
    [INTAKE_F_SALUTATION] = {INTAKE_KIND_CHOICE, N_("Salutation"), 0, "salutation"},
    [INTAKE_F_NAME] = {INTAKE_KIND_TEXT, N_("Name"), INTAKE_MAX_SHORT, "name"},
    [INTAKE_F_ADDRESS] = {INTAKE_KIND_TEXT, N_("Address"), INTAKE_MAX_ADDRESS, "address"},
    [INTAKE_F_ORG] = {INTAKE_KIND_TEXT, N_("Employer"), INTAKE_MAX_SHORT, "org"},
    [INTAKE_F_CHANNEL] = {INTAKE_KIND_CHOICE, N_("Channel"), 0, "channel"},
    [INTAKE_F_NATURE] = {INTAKE_KIND_CHOICE, N_("Nature"), 0, "nature"},
    [INTAKE_F_LEVEL] = {INTAKE_KIND_CHOICE, N_("Level"), 0, "complaint_level"},
    [INTAKE_F_CATEGORY] = {INTAKE_KIND_PICKER, N_("Category"), 0, "category"},
    [INTAKE_F_TITLE] = {INTAKE_KIND_TEXT, N_("Subject"), INTAKE_MAX_TITLE, "title"},
    [INTAKE_F_DESCRIPTION] = {INTAKE_KIND_AREA, N_("Details"), INTAKE_MAX_TEXT, "description"},
    [INTAKE_F_LOCATION] = {INTAKE_KIND_TEXT, N_("Place"), INTAKE_MAX_ADDRESS, "location"},
    [INTAKE_F_URGENCY] = {INTAKE_KIND_CHOICE, N_("Urgency"), 0, "urgency"},
    [INTAKE_F_DUE] = {INTAKE_KIND_TEXT, N_("Time limit"), DATETIME_FIELD_LEN, "requested_due"},
    [INTAKE_F_CONFIDENTIAL] = {INTAKE_KIND_CHECK, N_("Confidential"), 0, "confidential"},
};

/* What the choice fields show, by value (msgids). */
static const char *const salutation_text[SALUTATION_COUNT] = {
    N_("(none)"), N_("Mr"), N_("Ms"),
};
static const char *const channel_text[CHANNEL_COUNT] = {
    N_("phone"), N_("SMS"), N_("web"), N_("messaging"), N_("e-mail"), N_("letter"),
    N_("walk-in"),
};
static const char *const nature_text[NATURE_COUNT] = {
    N_("consult"), N_("help"), N_("complaint"), N_("report"), N_("suggestion"), N_("praise"),
    N_("alarm"), N_("repair"), N_("service"),
};
static const char *const urgency_text[URGENCY_COUNT] = {
    N_("normal"), N_("urgent"), N_("emergency"),
};
static const char *const level_text[4] = {
    N_("ungraded"), N_("1 major"), N_("2 general"), N_("3 minor"),
};

void
intake_form_init(struct intake_form *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < INTAKE_F_COUNT; i++)
        f->text[i] = xstrdup("");
    f->category = xstrdup("");
    f->category_label = xstrdup("");
    f->channel = CHANNEL_PHONE;
    f->urgency = URGENCY_NORMAL;
    f->salutation = SALUTATION_NONE;
}

void
intake_form_fini(struct intake_form *f)
{
    for (size_t i = 0; i < INTAKE_F_COUNT; i++)
        free(f->text[i]);
    free(f->category);
    free(f->category_label);
    memset(f, 0, sizeof *f);
}

void
intake_form_clear(struct intake_form *f)
{
    hl_time started = f->call_started;

    intake_form_fini(f);
    intake_form_init(f);
    f->call_started = started;
}

enum intake_kind
intake_field_kind(enum intake_field field)
{
    return (unsigned)field < INTAKE_F_COUNT ? fields[field].kind : INTAKE_KIND_TEXT;
}

const char *
intake_field_label(enum intake_field field)
{
    return (unsigned)field < INTAKE_F_COUNT ? fields[field].label : "";
}

size_t
intake_field_max(enum intake_field field)
{
    return (unsigned)field < INTAKE_F_COUNT ? fields[field].max : 0;
}

/* True when field holds text. */
static bool
is_text(enum intake_field field)
{
    enum intake_kind k = intake_field_kind(field);

    return (unsigned)field < INTAKE_F_COUNT && (k == INTAKE_KIND_TEXT || k == INTAKE_KIND_AREA);
}

bool
intake_field_visible(const struct intake_form *f, enum intake_field field)
{
    if ((unsigned)field >= INTAKE_F_COUNT)
        return false;
    if (field == INTAKE_F_LEVEL)
        return f->nature_set && f->nature == NATURE_COMPLAINT;
    return true;
}

enum intake_field
intake_field_step(const struct intake_form *f, enum intake_field field, int dir)
{
    int i = (int)field;

    for (int n = 0; n < INTAKE_F_COUNT; n++) {
        i = (i + (dir < 0 ? INTAKE_F_COUNT - 1 : 1)) % INTAKE_F_COUNT;
        if (intake_field_visible(f, (enum intake_field)i))
            return (enum intake_field)i;
    }
    return field;
}

void
intake_form_set_text(struct intake_form *f, enum intake_field field, const char *s)
{
    if (!is_text(field))
        return;
    free(f->text[field]);
    f->text[field] = xstrdup(s != NULL ? s : "");
}

const char *
intake_form_text(const struct intake_form *f, enum intake_field field)
{
    if (!is_text(field) || f->text[field] == NULL)
        return "";
    return f->text[field];
}

/* Step v through count values by dir, wrapping round. */
static int
step_value(int v, int count, int dir)
{
    return (v + (dir < 0 ? count - 1 : 1)) % count;
}

bool
intake_form_cycle(struct intake_form *f, enum intake_field field, int dir)
{
    switch (field) {
    case INTAKE_F_SALUTATION:
        f->salutation = (enum salutation)step_value((int)f->salutation, SALUTATION_COUNT, dir);
        return false;
    case INTAKE_F_CHANNEL:
        f->channel = (enum channel)step_value((int)f->channel, CHANNEL_COUNT, dir);
        return false;
    case INTAKE_F_NATURE:
        if (!f->nature_set)
            return intake_form_set_nature(f, dir < 0 ? NATURE_COUNT - 1 : 0);
        return intake_form_set_nature(f, (enum nature)step_value((int)f->nature, NATURE_COUNT,
                                                                 dir));
    case INTAKE_F_LEVEL:
        f->complaint_level = step_value(f->complaint_level, 4, dir);
        return false;
    case INTAKE_F_URGENCY:
        f->urgency = (enum urgency)step_value((int)f->urgency, URGENCY_COUNT, dir);
        return false;
    default:
        return false;
    }
}

const char *
intake_form_choice_text(const struct intake_form *f, enum intake_field field)
{
    switch (field) {
    case INTAKE_F_SALUTATION:
        return salutation_text[(unsigned)f->salutation % SALUTATION_COUNT];
    case INTAKE_F_CHANNEL:
        return channel_text[(unsigned)f->channel % CHANNEL_COUNT];
    case INTAKE_F_NATURE:
        return f->nature_set ? nature_text[(unsigned)f->nature % NATURE_COUNT] : "";
    case INTAKE_F_LEVEL:
        return level_text[(unsigned)f->complaint_level % 4];
    case INTAKE_F_URGENCY:
        return urgency_text[(unsigned)f->urgency % URGENCY_COUNT];
    default:
        return "";
    }
}

bool
intake_form_confidential_due(const struct intake_form *f)
{
    return f->nature_set && (f->nature == NATURE_COMPLAINT || f->nature == NATURE_REPORT)
        && !f->confidential_asked;
}

bool
intake_form_set_nature(struct intake_form *f, enum nature n)
{
    if ((unsigned)n >= NATURE_COUNT)
        return false;
    f->nature = n;
    f->nature_set = true;
    if (n != NATURE_COMPLAINT)
        f->complaint_level = 0;
    return intake_form_confidential_due(f);
}

void
intake_form_answer_confidential(struct intake_form *f, bool confidential)
{
    f->confidential = confidential;
    f->confidential_asked = true;
}

void
intake_form_set_category(struct intake_form *f, const char *code, const char *label)
{
    free(f->category);
    free(f->category_label);
    f->category = xstrdup(code != NULL ? code : "");
    f->category_label = xstrdup(code != NULL && label != NULL ? label : "");
}

/* True when s has something other than spaces. */
static bool
has_text(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return true;
    }
    return false;
}

bool
intake_form_touched(const struct intake_form *f)
{
    for (size_t i = 0; i < INTAKE_F_COUNT; i++) {
        if (is_text((enum intake_field)i) && has_text(f->text[i]))
            return true;
    }
    return f->nature_set || f->category[0] != '\0' || f->confidential
        || f->salutation != SALUTATION_NONE || f->channel != CHANNEL_PHONE
        || f->urgency != URGENCY_NORMAL;
}

bool
intake_form_phone(const struct intake_form *f, struct phone *out)
{
    struct phone p;

    if (phone_normalize(intake_form_text(f, INTAKE_F_PHONE), NULL, &p) == PHONE_INVALID)
        return false;
    if (out != NULL)
        *out = p;
    return true;
}

int
intake_form_due(const struct intake_form *f, const struct tz *tz, hl_time *out, struct err *e)
{
    const char *s = intake_form_text(f, INTAKE_F_DUE);
    struct civil_time ct;

    *out = 0;
    if (!has_text(s))
        return HL_OK;
    if (datetime_field_parse(s, &ct, e) != HL_OK)
        return HL_EINVAL;
    *out = tz_from_civil(tz, ct.year, ct.month, ct.day, ct.hour, ct.minute, 0);
    return HL_OK;
}

/* Add a problem when there is room; count it anyway. */
static void
problem(struct intake_problem *out, size_t max, size_t *n, enum intake_field field,
        const char *msg)
{
    if (out != NULL && *n < max) {
        out[*n].field = field;
        out[*n].msg = msg;
    }
    (*n)++;
}

size_t
intake_form_check(const struct intake_form *f, enum intake_purpose purpose,
                  const struct tz *tz, hl_time now, struct intake_problem *out, size_t max)
{
    bool order = purpose == INTAKE_FOR_ORDER;
    bool call = f->channel == CHANNEL_PHONE || f->channel == CHANNEL_SMS;
    const char *phone = intake_form_text(f, INTAKE_F_PHONE);
    size_t n = 0;
    hl_time due;
    struct err e;

    if (!has_text(phone)) {
        if (call || order)
            problem(out, max, &n, INTAKE_F_PHONE, N_("Phone: type the caller's number."));
    } else if (!intake_form_phone(f, NULL)) {
        problem(out, max, &n, INTAKE_F_PHONE,
                N_("Phone: not a valid number; type a mobile, a landline with its area code, "
                   "or a service number."));
    }
    if (order && !has_text(intake_form_text(f, INTAKE_F_NAME)))
        problem(out, max, &n, INTAKE_F_NAME,
                N_("Name: ask the caller's surname (a work order needs a contact)."));
    if (!f->nature_set)
        problem(out, max, &n, INTAKE_F_NATURE,
                N_("Nature: choose what kind of request this is (Left/Right)."));
    if (order && f->nature_set && f->nature == NATURE_COMPLAINT && f->complaint_level == 0)
        problem(out, max, &n, INTAKE_F_LEVEL,
                N_("Level: grade the complaint (1 major, 2 general, 3 minor) before dispatch."));
    if (order && f->category[0] == '\0')
        problem(out, max, &n, INTAKE_F_CATEGORY,
                N_("Category: choose one from the tree (Enter opens it)."));
    if (!has_text(intake_form_text(f, INTAKE_F_DESCRIPTION)))
        problem(out, max, &n, INTAKE_F_DESCRIPTION,
                N_("Details: write down what the caller wants."));
    err_clear(&e);
    if (intake_form_due(f, tz, &due, &e) != HL_OK)
        problem(out, max, &n, INTAKE_F_DUE,
                N_("Time limit: write it as YYYY-MM-DD HH:MM, or leave it empty."));
    else if (due != 0 && due <= now)
        problem(out, max, &n, INTAKE_F_DUE,
                N_("Time limit: the caller's time limit must lie in the future."));
    return n;
}

/* A trimmed copy of s, NULL when it is blank. */
static char *
trimmed_or_null(const char *s)
{
    size_t len;

    if (!has_text(s))
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'
                       || s[len - 1] == '\r'))
        len--;
    return xstrndup(s, len);
}

/* The number in its canonical digits ("13812345678", "01088886666转123"), so every ticket of a
 * caller carries the same spelling; as typed (trimmed) when it is not a valid number. */
static char *
canonical_phone(const char *s)
{
    struct phone p;

    if (phone_normalize(s, NULL, &p) == PHONE_INVALID)
        return trimmed_or_null(s);
    if (p.ext[0] != '\0')
        return xasprintf("%s转%s", p.number, p.ext);
    return xstrdup(p.number);
}

int
intake_form_to_ticket(const struct intake_form *f, const struct tz *tz, struct ticket *t,
                      struct err *e)
{
    hl_time due;

    if (!f->nature_set)
        return err_set(e, HL_EINVAL, "nature", "choose the nature of the request");
    if (intake_form_due(f, tz, &due, e) != HL_OK)
        return HL_EINVAL;
    t->channel = f->channel;
    t->caller.salutation = f->salutation;
    t->caller.name = trimmed_or_null(f->text[INTAKE_F_NAME]);
    t->caller.phone = canonical_phone(f->text[INTAKE_F_PHONE]);
    t->caller.address = trimmed_or_null(f->text[INTAKE_F_ADDRESS]);
    t->caller.org = trimmed_or_null(f->text[INTAKE_F_ORG]);
    t->caller.confidential = f->confidential;
    t->nature = f->nature;
    t->category = f->category[0] != '\0' ? xstrdup(f->category) : NULL;
    t->title = trimmed_or_null(f->text[INTAKE_F_TITLE]);
    t->description = trimmed_or_null(f->text[INTAKE_F_DESCRIPTION]);
    t->location = trimmed_or_null(f->text[INTAKE_F_LOCATION]);
    t->urgency = f->urgency;
    t->complaint_level = f->nature == NATURE_COMPLAINT ? f->complaint_level : 0;
    t->requested_due = due;
    return HL_OK;
}

/* ---- the draft ---- */

char *
intake_draft_encode(const struct intake_form *f, hl_time saved_at)
{
    cJSON *root = cJSON_CreateObject();
    char buf[32];
    char *out;

    cJSON_AddNumberToObject(root, "draft", INTAKE_DRAFT_VERSION);
    datetime_format_rfc3339(saved_at, 0, buf, sizeof buf);
    cJSON_AddStringToObject(root, "saved_at", buf);
    if (f->call_started != 0) {
        datetime_format_rfc3339(f->call_started, 0, buf, sizeof buf);
        cJSON_AddStringToObject(root, "call_started", buf);
    }
    for (size_t i = 0; i < INTAKE_F_COUNT; i++) {
        if (is_text((enum intake_field)i))
            cJSON_AddStringToObject(root, fields[i].key, f->text[i]);
    }
    cJSON_AddStringToObject(root, "salutation", salutation_str(f->salutation));
    cJSON_AddStringToObject(root, "channel", channel_str(f->channel));
    if (f->nature_set)
        cJSON_AddStringToObject(root, "nature", nature_str(f->nature));
    else
        cJSON_AddNullToObject(root, "nature");
    cJSON_AddNumberToObject(root, "complaint_level", f->complaint_level);
    cJSON_AddStringToObject(root, "category", f->category);
    cJSON_AddStringToObject(root, "category_label", f->category_label);
    cJSON_AddStringToObject(root, "urgency", urgency_str(f->urgency));
    cJSON_AddBoolToObject(root, "confidential", f->confidential);
    cJSON_AddBoolToObject(root, "confidential_asked", f->confidential_asked);
    out = codec_print(root);
    cJSON_Delete(root);
    return out;
}

/* The string member name of o, or NULL when absent or not a string. */
static const char *
member_str(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* Bytes of the first max code points of s[0..len). */
static size_t
prefix_chars(const char *s, size_t len, size_t max)
{
    size_t i = 0;

    for (size_t chars = 0; i < len && chars < max; chars++) {
        uint32_t cp;

        i += text_utf8_decode(s + i, len - i, &cp);
    }
    return i;
}

/* A text member cut to the field's limit (draft files are edited by nobody, but be safe). */
static void
restore_text(struct intake_form *f, enum intake_field field, const char *s)
{
    size_t max = intake_field_max(field);
    size_t len;

    if (s == NULL)
        return;
    len = strlen(s);
    free(f->text[field]);
    f->text[field] = xstrndup(s, prefix_chars(s, len, max));
}

int
intake_draft_decode(const char *json, size_t len, struct intake_form *f, hl_time *saved_at,
                    struct err *e)
{
    cJSON *root = codec_parse(json, len, e);
    const cJSON *m;
    const char *s;
    enum salutation sal;
    enum channel ch;
    enum nature nat;
    enum urgency urg;
    hl_time t;
    int rc = HL_OK;

    if (root == NULL)
        return HL_EINVAL;
    m = cJSON_GetObjectItemCaseSensitive(root, "draft");
    if (!cJSON_IsObject(root) || !cJSON_IsNumber(m)) {
        rc = err_set(e, HL_EINVAL, "", "not an intake draft");
        goto out;
    }
    intake_form_clear(f);
    f->call_started = 0;
    if (saved_at != NULL) {
        s = member_str(root, "saved_at");
        *saved_at = s != NULL && datetime_parse_rfc3339(s, &t, NULL) ? t : 0;
    }
    s = member_str(root, "call_started");
    if (s != NULL && datetime_parse_rfc3339(s, &t, NULL))
        f->call_started = t;
    for (size_t i = 0; i < INTAKE_F_COUNT; i++) {
        if (!is_text((enum intake_field)i))
            continue;
        s = member_str(root, fields[i].key);
        if (s != NULL && text_utf8_valid(s, strlen(s)))
            restore_text(f, (enum intake_field)i, s);
    }
    s = member_str(root, "salutation");
    if (s != NULL && salutation_parse(s, &sal))
        f->salutation = sal;
    s = member_str(root, "channel");
    if (s != NULL && channel_parse(s, &ch))
        f->channel = ch;
    s = member_str(root, "nature");
    if (s != NULL && nature_parse(s, &nat)) {
        f->nature = nat;
        f->nature_set = true;
    }
    m = cJSON_GetObjectItemCaseSensitive(root, "complaint_level");
    if (cJSON_IsNumber(m) && m->valuedouble >= 1 && m->valuedouble <= 3 && f->nature_set
        && f->nature == NATURE_COMPLAINT)
        f->complaint_level = (int)m->valuedouble;
    s = member_str(root, "category");
    if (s != NULL && text_chars(s) <= INTAKE_MAX_SHORT)
        intake_form_set_category(f, s[0] != '\0' ? s : NULL, member_str(root, "category_label"));
    s = member_str(root, "urgency");
    if (s != NULL && urgency_parse(s, &urg))
        f->urgency = urg;
    f->confidential = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "confidential"));
    f->confidential_asked =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "confidential_asked"));
out:
    cJSON_Delete(root);
    return rc;
}

int
intake_draft_save(const char *path, const struct intake_form *f, hl_time saved_at,
                  struct err *e)
{
    char *doc = intake_draft_encode(f, saved_at);
    char *tmp = xasprintf("%s.tmp", path);
    size_t len = strlen(doc);
    size_t done = 0;
    int rc = HL_OK;
    int fd;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(e, HL_EIO, "", "%s: cannot write the draft: %s", tmp, strerror(errno));
        goto out;
    }
    while (done < len) {
        ssize_t w = write(fd, doc + done, len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = err_set(e, HL_EIO, "", "%s: cannot write the draft: %s", tmp, strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    if (rc == HL_OK && fsync(fd) != 0)
        rc = err_set(e, HL_EIO, "", "%s: cannot write the draft: %s", tmp, strerror(errno));
    close(fd);
    if (rc == HL_OK && rename(tmp, path) != 0)
        rc = err_set(e, HL_EIO, "", "%s: cannot keep the draft: %s", path, strerror(errno));
    if (rc != HL_OK)
        unlink(tmp);
out:
    free(tmp);
    free(doc);
    return rc;
}

int
intake_draft_load(const char *path, struct intake_form *f, hl_time *saved_at, struct err *e)
{
    size_t len = 0;
    char *doc = file_load(path, "intake draft", INTAKE_DRAFT_MAX, &len, e);
    int rc;

    if (doc == NULL)
        return e->code;
    rc = intake_draft_decode(doc, len, f, saved_at, e);
    if (rc != HL_OK) {
        char msg[sizeof e->msg];

        str_copy(msg, sizeof msg, e->msg);
        err_set(e, rc, "", "%s: %s", path, msg);
    }
    free(doc);
    return rc;
}

void
intake_draft_remove(const char *path)
{
    if (path != NULL)
        unlink(path);
}

char *
intake_draft_path(struct err *e)
{
    char *dir = xdg_app_dir(XDG_STATE, true, e);
    char *path;

    if (dir == NULL)
        return NULL;
    path = xasprintf("%s/draft.json", dir);
    free(dir);
    return path;
}

/* ---- history ---- */

void
intake_history_summarize(const struct ticket *items, size_t n,
                         struct intake_history_summary *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; items != NULL && i < n; i++) {
        out->total++;
        if (ticket_is_open(&items[i]))
            out->open++;
        if (items[i].created_at > out->last)
            out->last = items[i].created_at;
    }
    out->repeat_warning = out->open > 0;
}

/* ---- knowledge-base suggestions ---- */

/* Words that carry no meaning for a search; the text is cut at them. Longest first where
 * one is the start of another. */
static const char *const filler[] = {
    "市民来电", "来电反映", "市民反映", "来电咨询", "市民咨询", "请问一下", "问一下", "咨询一下",
    "我想问", "能不能", "可不可以", "的话", "我想", "我要", "想问", "请问", "反映", "咨询",
    "怎么办", "怎么", "如何", "怎样", "什么时候", "多长时间", "多久", "多少",
    "什么", "为什么", "时候", "一直", "现在", "目前", "最近", "今天", "昨天", "来电人", "市民", "哪里", "哪些", "是否", "能否", "可以", "需要", "一下", "这个", "那个",
    "我们", "你们", "他们", "我家", "已经", "还是", "但是", "因为", "所以", "没有", "希望",
    "要求", "问题", "情况", "相关", "帮忙", "处理", "谢谢", "您好", "你好",
    "的", "了", "吗", "呢", "吧", "啊", "呀", "我", "你", "他", "她", "都", "也", "就", "很",
    "太",
};

/* Bytes of the filler word at s, 0 when none starts there. */
static size_t
filler_at(const char *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(filler); i++) {
        size_t n = strlen(filler[i]);

        if (strncmp(s, filler[i], n) == 0)
            return n;
    }
    return 0;
}

/* True when cp separates pieces: ASCII space and punctuation, CJK punctuation. */
static bool
is_separator(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    return (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xff0f)
        || (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40)
        || (cp >= 0xff5b && cp <= 0xff65) || (cp >= 0x2000 && cp <= 0x206f)
        || cp == 0xfffd || cp == 0x00b7;
}

/* The terms collected so far. */
struct terms {
    char (*out)[INTAKE_TERM_MAX];
    size_t max;
    size_t n;
    char (*all)[INTAKE_TERM_MAX];   /* every piece in text order */
    size_t nall;
    size_t capall;
};

/* Keep a piece s[0..len) of chars code points. */
static void
add_piece(struct terms *t, const char *s, size_t len, size_t chars)
{
    const char *p = s;
    size_t keep = 0;

    if (chars < 2)
        return;
    /* Cut to 8 characters. */
    for (size_t c = 0; c < 8 && keep < len; c++) {
        uint32_t cp;

        keep += text_utf8_decode(p + keep, len - keep, &cp);
    }
    if (keep >= INTAKE_TERM_MAX)
        return;
    if (t->nall == t->capall) {
        t->capall = t->capall ? t->capall * 2 : 16;
        t->all = xrealloc(t->all, t->capall * sizeof *t->all);
    }
    memcpy(t->all[t->nall], s, keep);
    t->all[t->nall][keep] = '\0';
    t->nall++;
}

/* Cut text into pieces at separators and filler words. */
static void
cut_pieces(struct terms *t, const char *text)
{
    size_t len = text != NULL ? strlen(text) : 0;
    size_t start = 0;
    size_t chars = 0;
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t fl = filler_at(text + i);
        size_t step;

        if (fl > 0) {
            add_piece(t, text + start, i - start, chars);
            i += fl;
            start = i;
            chars = 0;
            continue;
        }
        step = text_utf8_decode(text + i, len - i, &cp);
        if (is_separator(cp)) {
            add_piece(t, text + start, i - start, chars);
            i += step;
            start = i;
            chars = 0;
            continue;
        }
        i += step;
        chars++;
    }
    add_piece(t, text + start, len - start, chars);
}

size_t
intake_kb_terms(const char *title, const char *description, char out[][INTAKE_TERM_MAX],
                size_t max)
{
    struct terms t = {out, max, 0, NULL, 0, 0};

    /* The latest typed piece of the description first, then the title's. */
    cut_pieces(&t, title);
    {
        size_t title_pieces = t.nall;

        cut_pieces(&t, description);
        for (size_t k = t.nall; k > title_pieces && t.n < max; k--) {
            const char *p = t.all[k - 1];
            bool dup = false;

            for (size_t j = 0; j < t.n; j++)
                dup = dup || strcmp(out[j], p) == 0;
            if (!dup)
                str_copy(out[t.n++], INTAKE_TERM_MAX, p);
        }
        for (size_t k = 0; k < title_pieces && t.n < max; k++) {
            const char *p = t.all[k];
            bool dup = false;

            for (size_t j = 0; j < t.n; j++)
                dup = dup || strcmp(out[j], p) == 0;
            if (!dup)
                str_copy(out[t.n++], INTAKE_TERM_MAX, p);
        }
    }
    free(t.all);
    return t.n;
}

/* True when cp ends a district's name. */
static bool
is_district_suffix(uint32_t cp)
{
    return cp == 0x533a /* 区 */ || cp == 0x53bf /* 县 */ || cp == 0x65d7 /* 旗 */;
}

/* True when cp ends a larger unit (province, city) or a district: a district name starts
 * after it. */
static bool
is_unit_boundary(uint32_t cp)
{
    return cp == 0x7701 /* 省 */ || cp == 0x5e02 /* 市 */ || cp == 0x5dde /* 州 */
        || is_district_suffix(cp) || is_separator(cp);
}

/* Words ending in 区 that end no district's name (小区 is a housing estate). */
static const char *const generic_areas[] = {
    "小区", "社区", "园区", "景区", "片区", "街区", "校区", "厂区", "矿区", "辖区", "营区",
    "郊区", "山区",
};

/* True when text[from..to) is one of the generic words. */
static bool
generic_area(const char *text, size_t from, size_t to)
{
    for (size_t i = 0; i < ARRAY_SIZE(generic_areas); i++) {
        size_t n = strlen(generic_areas[i]);

        if (n == to - from && memcmp(text + from, generic_areas[i], n) == 0)
            return true;
    }
    return false;
}

size_t
intake_districts(const char *text, char out[][INTAKE_TERM_MAX], size_t max)
{
    size_t len = text != NULL ? strlen(text) : 0;
    size_t starts[64];     /* byte offsets of the last code points */
    size_t nstarts = 0;
    size_t n = 0;
    size_t i = 0;

    while (i < len && n < max) {
        uint32_t cp;
        size_t step = text_utf8_decode(text + i, len - i, &cp);

        if (is_district_suffix(cp) && nstarts > 0
            && !generic_area(text, starts[nstarts - 1], i + step)) {
            /* Back up over at most 4 characters that are not a boundary. */
            size_t k = nstarts;
            size_t back = 0;

            while (k > 0 && back < 4) {
                uint32_t prev;

                text_utf8_decode(text + starts[k - 1], len - starts[k - 1], &prev);
                if (is_unit_boundary(prev))
                    break;
                k--;
                back++;
            }
            if (back >= 1 && i + step - starts[k] < INTAKE_TERM_MAX) {
                size_t from = starts[k];
                bool dup = false;

                memcpy(out[n], text + from, i + step - from);
                out[n][i + step - from] = '\0';
                for (size_t j = 0; j < n; j++)
                    dup = dup || strcmp(out[j], out[n]) == 0;
                if (!dup)
                    n++;
            }
        }
        if (nstarts == ARRAY_SIZE(starts)) {
            memmove(starts, starts + 1, (nstarts - 1) * sizeof *starts);
            nstarts--;
        }
        starts[nstarts++] = i;
        i += step;
    }
    return n;
}

/* True when s contains needle (both may be NULL). */
static bool
contains(const char *s, const char *needle)
{
    return s != NULL && needle != NULL && needle[0] != '\0' && strstr(s, needle) != NULL;
}

/* True when the notice's text names one of the districts of place. */
static bool
names_district(const struct article *a, const char *place)
{
    char d[8][INTAKE_TERM_MAX];
    size_t n = intake_districts(place, d, ARRAY_SIZE(d));

    for (size_t i = 0; i < n; i++) {
        if (contains(a->title, d[i]) || contains(a->snippet, d[i]) || contains(a->body, d[i]))
            return true;
    }
    return false;
}

bool
intake_notice_matches(const struct article *a, const char *address, const char *location)
{
    if (a == NULL || a->kind != KB_NOTICE)
        return false;
    if (a->region != NULL && strcmp(a->region, "全国") == 0)
        return true;
    if (contains(address, a->region) || contains(location, a->region))
        return true;
    return names_district(a, address) || names_district(a, location);
}

void
intake_kb_order(const struct article *const *items, size_t n, const char *address,
                const char *location, size_t *order)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (intake_notice_matches(items[i], address, location))
            order[k++] = i;
    }
    for (size_t i = 0; i < n; i++) {
        if (!intake_notice_matches(items[i], address, location))
            order[k++] = i;
    }
}

/* Append s without the highlight marks 【】 a snippet carries, and without a leading or
 * trailing ellipsis. */
static void
add_plain_snippet(struct strbuf *sb, const char *s)
{
    size_t len = strlen(s);
    static const char ell[] = "…";
    static const char open[] = "【";
    static const char close[] = "】";

    if (str_starts_with(s, ell)) {
        s += strlen(ell);
        len -= strlen(ell);
    }
    if (len >= strlen(ell) && memcmp(s + len - strlen(ell), ell, strlen(ell)) == 0)
        len -= strlen(ell);
    for (size_t i = 0; i < len;) {
        if (len - i >= strlen(open) && memcmp(s + i, open, strlen(open)) == 0) {
            i += strlen(open);
        } else if (len - i >= strlen(close) && memcmp(s + i, close, strlen(close)) == 0) {
            i += strlen(close);
        } else {
            strbuf_addc(sb, s[i]);
            i++;
        }
    }
}

char *
intake_answer_prefill(const struct article *const *chosen, size_t n)
{
    struct strbuf sb;
    char *all;

    strbuf_init(&sb);
    for (size_t k = 0; k < n; k++) {
        const struct article *a = chosen[k];

        if (a == NULL)
            continue;
        if (sb.len > 0)
            strbuf_adds(&sb, "\n\n");
        if (!str_empty(a->body))
            strbuf_adds(&sb, a->body);
        else if (!str_empty(a->snippet))
            add_plain_snippet(&sb, a->snippet);
        else if (!str_empty(a->title))
            strbuf_adds(&sb, a->title);
    }
    all = strbuf_detach(&sb);
    if (all == NULL)
        return xstrdup("");
    all[prefix_chars(all, strlen(all), INTAKE_MAX_TEXT)] = '\0';
    return all;
}
