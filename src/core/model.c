/* placeholder: being written */
#include "hotline/util.h"
