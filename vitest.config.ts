import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Guards against a hang, not a speed bound: a test that starts a stack and runs a bench waits on the mocks' latencies,
    // and with three files at once on two cores it can take several times what it takes alone (CI saw 30 s run out).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Three files at once on two cores: the lab's test files mostly wait on the mocks' latencies
    // (measured: the machine 50 % busy with two at a time, 67 % with three, and the suite 449 s
    // against 351 s). No test asserts a speed, only order, counts and ranges with slack; those that
    // read the whole machine's CPU or set two timings side by side run in the 'alone' project, one at a time, after every other.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'lab', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/**/*.alone.test.ts'], sequence: { groupOrder: 0 } } },
      // Tests that read the whole machine's CPU (the lab-bound flag) or set two timings side by side (the lab against wrk, a
      // comparison of runs against a saved baseline, a level's rate against the server's view): after every other file, one at a
      // time, on a quiet machine. With three files at once, a run measured during another file's bench and its baseline measured
      // during none differ by the machine, not the code: an A/A comparison was called regressed.
      { extends: true, test: { name: 'alone', include: ['test/**/*.alone.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
