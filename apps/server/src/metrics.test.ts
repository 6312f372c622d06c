import { describe, expect, it } from 'vitest';
import { ServerMetrics, toolLabel } from './metrics.js';

describe('metrics', () => {
  it('count tool calls and errors, and read gauges when scraped', async () => {
    const m = new ServerMetrics();
    let sessions = 1;
    m.gauge('s', 'Sessions.', () => sessions);
    m.toolCall('track_invocation', 0.001, true);
    m.toolCall('track_invocation', 0.002, false);
    sessions = 4;
    const text = await m.render();
    expect(text).toContain('skills_tool_calls_total{tool="track_invocation",outcome="ok"} 1');
    expect(text).toContain('skills_tool_calls_total{tool="track_invocation",outcome="error"} 1');
    expect(text).toContain('skills_tool_errors_total{tool="track_invocation"} 1');
    expect(text).toContain('skills_tool_call_duration_seconds_count{tool="track_invocation"} 2');
    expect(text).toMatch(/^s 4$/m);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('label every tool name the server does not have as unknown, however long or strange', async () => {
    const m = new ServerMetrics();
    const huge = 'x'.repeat(4 * 1024 * 1024);
    for (const name of [huge, 'no_such_tool', 'a"b\\c\nd', '']) m.toolCall(name, 0.001, false);
    expect(toolLabel('recommend_skills')).toBe('recommend_skills');
    const text = await m.render();
    expect(text).toContain('skills_tool_calls_total{tool="unknown",outcome="error"} 4');
    expect(text).not.toContain('no_such_tool');
    // Only the fixed labels: the exposition stays small (it held each name before).
    expect(text.length).toBeLessThan(64 * 1024);
  });

  it('key series by label name whatever the order they are given in, and escape help and labels', async () => {
    const m = new ServerMetrics();
    m.httpRequests.inc({ route: '/mcp', status: '200' });
    m.httpRequests.inc({ status: '200', route: '/mcp' });
    m.gauge('odd', 'A help text with a \\ and a\nnewline.', () => [{ labels: { v: 'a"b' }, value: 1 }], ['v']);
    const text = await m.render();
    expect(text).toMatch(/^skills_http_requests_total\{route="\/mcp",status="200"\} 2$/m);
    expect(text).toContain('# HELP odd A help text with a \\\\ and a\\nnewline.');
    expect(text).toContain('odd{v="a\\"b"} 1');
  });

  it('expose the process: memory and event-loop lag', async () => {
    const text = await new ServerMetrics().render();
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });
});
