import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Three files at once on two cores: the lab's test files mostly wait on the mocks' latencies
    // (measured: the machine 50 % busy with two at a time, 67 % with three, and the suite 449 s
    // against 351 s). No test asserts a speed, only order, counts and ranges with slack; those that
    // read the whole machine's CPU run in the 'alone' project, one at a time, after every other.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'lab', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/**/*.alone.test.ts'], sequence: { groupOrder: 0 } } },
      // Tests that read the whole machine's CPU (the lab-bound flag): after every other file, one at a time, on a quiet machine.
      { extends: true, test: { name: 'alone', include: ['test/**/*.alone.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
