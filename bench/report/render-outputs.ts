/** Every rendering of a sealed run at once: report.html and summary.md (written beside results.json), and the terminal's summary. */
import { renderSummaryMarkdown } from './render-markdown.ts'
import { renderReport } from './render-report.ts'
import { renderTerminalSummary } from './render-terminal.ts'
import { renderWhatIfMarkdown, renderWhatIfReport, renderWhatIfTerminal } from './render-what-if.ts'
import type { Results, WhatIf } from '../record/results.ts'
import type { RunFiles } from '../record/write-results.ts'

export async function renderOutputs(results: Results | WhatIf): Promise<{ files: RunFiles; terminal: string }> {
  if (results.kind === 'what-if') {
    return {
      files: { 'report.html': await renderWhatIfReport(results), 'summary.md': renderWhatIfMarkdown(results) },
      terminal: renderWhatIfTerminal(results),
    }
  }
  return {
    files: { 'report.html': await renderReport(results), 'summary.md': renderSummaryMarkdown(results) },
    terminal: renderTerminalSummary(results),
  }
}
