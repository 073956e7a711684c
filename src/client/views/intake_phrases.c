/* intake_phrases: the standard phrases an agent says (greeting, surname, hold, transfer,
 * closing), by hotline, channel and holiday. Pure. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "views/intake_phrases.h"

/* Labels of the phrases (msgids). */
static const char *const labels[INTAKE_PHRASE_COUNT] = {
    [INTAKE_PHRASE_GREETING] = N_("Greeting"),
    [INTAKE_PHRASE_SURNAME] = N_("Ask the surname"),
    [INTAKE_PHRASE_HOLD] = N_("Hold"),
    [INTAKE_PHRASE_HOLD_AGAIN] = N_("Still on hold (every 30 s)"),
    [INTAKE_PHRASE_HOLD_BACK] = N_("Back from hold"),
    [INTAKE_PHRASE_TRANSFER] = N_("Transfer"),
    [INTAKE_PHRASE_ANSWERED] = N_("After answering"),
    [INTAKE_PHRASE_CLOSING] = N_("Closing"),
};

const char *
intake_phrase_label(enum intake_phrase p)
{
    return (unsigned)p < INTAKE_PHRASE_COUNT ? labels[p] : "";
}

const char *
intake_phrase_hotline(const char *profile)
{
    if (profile != NULL && strcmp(profile, "95198") == 0)
        return "95198单一窗口客服热线";
    if (profile != NULL && strcmp(profile, "956100") == 0)
        return "956100燃气服务热线";
    return "市民热线";
}

const char *
intake_phrase_holiday(const struct calendar *cal, const struct tz *tz, hl_time now)
{
    struct civil_time ct;
    const char *name = NULL;
    bool fallback = false;
    int64_t day;

    if (cal == NULL || tz == NULL)
        return NULL;
    tz_to_civil(tz, now, &ct);
    day = datetime_days_from_civil(ct.year, ct.month, ct.day);
    if (calendar_day_kind(cal, day, &fallback, &name) != DAY_HOLIDAY || fallback)
        return NULL;
    return name;
}

/* True when s is 2 to 4 characters, all CJK ideographs. */
static bool
is_chinese_name(const char *s)
{
    size_t len = strlen(s);
    size_t chars = 0;

    for (size_t i = 0; i < len; chars++) {
        uint32_t cp;

        i += text_utf8_decode(s + i, len - i, &cp);
        if (cp < 0x3400 || cp > 0x9fff)
            return false;
    }
    return chars >= 2 && chars <= 4;
}

char *
intake_phrase_address(const char *name, enum salutation s)
{
    const char *sal = s == SALUTATION_MR ? "先生" : s == SALUTATION_MS ? "女士" : NULL;
    char surname[8];
    uint32_t cp;
    size_t n;

    if (sal == NULL)
        return xstrdup("您");
    if (str_empty(name))
        return xstrdup(sal);
    if (is_chinese_name(name)) {
        n = text_utf8_decode(name, strlen(name), &cp);
        memcpy(surname, name, n);
        surname[n] = '\0';
        return xasprintf("%s%s", surname, sal);
    }
    return xasprintf("%s%s", name, sal);
}

/* "您好" or, on a holiday, "节日好". */
static const char *
hello(const struct intake_phrase_ctx *c)
{
    return str_empty(c->holiday) ? "您好" : "节日好";
}

/* The greeting for the channel. */
static char *
greeting(const struct intake_phrase_ctx *c)
{
    const char *line = intake_phrase_hotline(c->profile);
    const char *tail = c->profile != NULL && strcmp(c->profile, "95198") == 0
        ? "很高兴为您服务，请问有什么可以帮您？" : "请问有什么可以帮您？";

    switch (c->channel) {
    case CHANNEL_WALK_IN:
        return xasprintf("%s，欢迎来到%s服务窗口，%s", hello(c), line, tail);
    case CHANNEL_SMS:
    case CHANNEL_WEB:
    case CHANNEL_IM:
        return xasprintf("%s，这里是%s，%s", hello(c), line, tail);
    case CHANNEL_EMAIL:
    case CHANNEL_LETTER:
        return xasprintf("%s！%s已收到您的来信，现答复如下：", hello(c), line);
    case CHANNEL_PHONE:
    default:
        return xasprintf("%s，%s，%s", hello(c), line, tail);
    }
}

char *
intake_phrase_text(enum intake_phrase p, const struct intake_phrase_ctx *c)
{
    char *addr = intake_phrase_address(c->surname, c->salutation);
    /* "张先生，" before the phrase; nothing when the caller is only "您". */
    char *who = strcmp(addr, "您") == 0 ? xstrdup("") : xasprintf("%s，", addr);
    char *out;

    switch (p) {
    case INTAKE_PHRASE_GREETING:
        out = greeting(c);
        break;
    case INTAKE_PHRASE_SURNAME:
        out = xstrdup("请问您贵姓？");
        break;
    case INTAKE_PHRASE_HOLD:
        out = xasprintf("%s请您稍等，我为您查询一下，请不要挂机。", who);
        break;
    case INTAKE_PHRASE_HOLD_AGAIN:
        out = xasprintf("%s感谢您的耐心等待，正在为您查询，请再稍等片刻。", who);
        break;
    case INTAKE_PHRASE_HOLD_BACK:
        out = xasprintf("%s感谢您的耐心等待。", who);
        break;
    case INTAKE_PHRASE_TRANSFER:
        out = xasprintf("%s您反映的问题已经记录，受理单号是%s，将转交%s办理，"
                        "请您保持电话畅通，留意回访。", who,
                        str_empty(c->ticket_id) ? "（单号）" : c->ticket_id,
                        str_empty(c->unit) ? "（承办单位）" : c->unit);
        break;
    case INTAKE_PHRASE_ANSWERED:
        out = xasprintf("%s以上答复您清楚了吗？请问还有其他可以帮您的吗？", who);
        break;
    case INTAKE_PHRASE_CLOSING:
        if (c->channel == CHANNEL_WALK_IN)
            out = xstrdup("感谢您的来访，再见！");
        else if (c->channel == CHANNEL_PHONE)
            out = xstrdup("感谢您的来电，再见！");
        else
            out = xasprintf("感谢您对%s工作的支持！", intake_phrase_hotline(c->profile));
        break;
    default:
        out = xstrdup("");
        break;
    }
    free(who);
    free(addr);
    return out;
}
