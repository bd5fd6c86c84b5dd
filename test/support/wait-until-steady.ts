// After a graceful reload, old server workers keep answering for a moment: one probe that sees
// the new chain can be followed by one that sees the old. Tests that change what a server
// serves wait for 3 agreeing probes in a row, as the deploy flow does.
export async function waitUntilSteady(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let inRow = 0; inRow < 3; ) {
    inRow = (await condition()) ? inRow + 1 : 0;
    if (Date.now() > deadline) throw new Error(`condition not met on 3 probes in a row within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
