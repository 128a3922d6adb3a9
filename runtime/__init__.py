"""Target description, assembler, simulators, interpreters, executable, reports."""
