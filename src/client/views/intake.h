/* intake: what the rest of the console may ask of the intake tab. */
#pragma once

struct app;

/* Start a call in the intake tab with phone (NULL: an empty form), as F2 or a screen pop
 * does: asks first when the current form holds input. For `hotline --call PHONE`. */
void intake_start_call(struct app *app, const char *phone);
