import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: one test file per core keeps the mocks' timers honest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'lab', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/**/*.alone.test.ts'], sequence: { groupOrder: 0 } } },
      // Tests that read the whole machine's CPU (the lab-bound flag): after every other file, one at a time, on a quiet machine.
      { extends: true, test: { name: 'alone', include: ['test/**/*.alone.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
