"""vexa dialects: nn (L1 graph), tile (L2 loops over buffers), vx (L3 vector ISA)."""
