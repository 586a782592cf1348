/* Per-vCPU GHCB protocol state (issue: GHCB protocol). Placeholder: the ghcb/ module fills
 * it in. */
#ifndef GHCB_GHCB_STATE_H
#define GHCB_GHCB_STATE_H

#include "lib/types.h"

struct ghcb_state {
	u16 version; /* negotiated GHCB protocol version, 0 = not yet */
};

#endif
