#include "modes.c" /* the same walk, built with the SEV-ES entry for soft-es */
