# Guest programs (filled in by the guest runtime work).
GUEST_ELFS :=
