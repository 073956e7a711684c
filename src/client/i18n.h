/* i18n: gettext shorthands and the console's language switch (English msgids, zh_CN). */
#pragma once

#include <libintl.h>
#include <stdbool.h>

/* Translate now. */
#define _(s) gettext(s)
/* Mark for translation; translate later with _(). */
#define N_(s) (s)

/* Bind the text domain (the directory in $HOTLINE_LOCALEDIR wins over the installed one). */
void i18n_init(void);
/* Switch the language of messages: "en", "zh_CN" ("zh" is an alias) or "auto" (the locale's).
 * Takes effect for every later _(). False (nothing changed) for an unknown name. */
bool i18n_set_lang(const char *lang);
/* True when name is a language i18n_set_lang accepts. */
bool i18n_valid_lang(const char *name);
/* The language messages currently come out in: "zh_CN" when the catalogue is in use, else "en".
 * Borrowed, static. */
const char *i18n_lang(void);
