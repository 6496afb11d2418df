"""Schemes: school, village and ledger expressed as data read from `设置`/`规则`, plus the
period computations that turn the engine's entries into output sheets."""
