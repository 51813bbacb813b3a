// Mocha reporter: mocha's own "spec" output, then one plain closing line
// "N passed, N failed, N skipped" that CI can read. A run in which no test
// executed is a failure: it prints the line and exits non-zero.
"use strict";
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      // Spec bound its epilogue to EVENT_RUN_END first (in super), so this
      // line comes last. Synchronous: with --exit mocha exits right after.
      console.log(`${passes} passed, ${failures} failed, ${pending} skipped`);
      if (passes + failures === 0) {
        console.error("no test ran");
        process.exit(3);
      }
    });
  }
}

module.exports = SummaryReporter;
