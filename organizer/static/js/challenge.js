// The sign form's proof-of-work widget: its worker is served from here, not from a blob.
const worker = new URL("../vendor/altcha/workers/pbkdf2.js", import.meta.url);
globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
