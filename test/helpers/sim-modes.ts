// Every connector and integration test runs against both simulator modes: the default one, and strict mode,
// which answers only with what each provider's document shows (DESIGN.md, "Strict mode"), so a connector that
// leans on a field the simulator invented fails here rather than at a customer's.
export const SIM_MODES = [
  { mode: 'default', strict: false },
  { mode: 'strict', strict: true },
] as const;
