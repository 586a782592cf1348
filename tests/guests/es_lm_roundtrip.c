#include "lm_roundtrip.c" /* the same round trip, built with the SEV-ES entry for soft-es */
