import { describe, expect, it } from 'vitest';
import { Counter, Histogram, ServerMetrics } from './metrics.js';

describe('metrics', () => {
  it('render counters with labels, escaped, in the Prometheus text format', () => {
    const c = new Counter('x_total', 'Things.');
    c.inc({ tool: 'a"b\\c\nd' }, 2);
    c.inc({ tool: 'a"b\\c\nd' });
    expect(c.render()).toEqual(['# HELP x_total Things.', '# TYPE x_total counter', 'x_total{tool="a\\"b\\\\c\\nd"} 3']);
    expect(new Counter('empty_total', 'None yet.').render().at(-1)).toBe('empty_total 0');
  });

  it('render histograms as cumulative buckets with sum and count', () => {
    const h = new Histogram('d_seconds', 'Durations.', [0.1, 1]);
    h.observe(0.05, { route: '/mcp' });
    h.observe(0.5, { route: '/mcp' });
    h.observe(5, { route: '/mcp' });
    expect(h.render().slice(2)).toEqual([
      'd_seconds_bucket{route="/mcp",le="0.1"} 1',
      'd_seconds_bucket{route="/mcp",le="1"} 2',
      'd_seconds_bucket{route="/mcp",le="+Inf"} 3',
      'd_seconds_sum{route="/mcp"} 5.55',
      'd_seconds_count{route="/mcp"} 3',
    ]);
  });

  it('count tool calls and errors, and read gauges when scraped', () => {
    const m = new ServerMetrics();
    let sessions = 1;
    m.gauge('s', 'Sessions.', () => sessions);
    m.toolCall('track_invocation', 0.001, true);
    m.toolCall('track_invocation', 0.002, false);
    sessions = 4;
    const text = m.render();
    expect(text).toContain('skills_tool_calls_total{tool="track_invocation",outcome="ok"} 1');
    expect(text).toContain('skills_tool_calls_total{tool="track_invocation",outcome="error"} 1');
    expect(text).toContain('skills_tool_errors_total{tool="track_invocation"} 1');
    expect(text).toContain('skills_tool_call_duration_seconds_count{tool="track_invocation"} 2');
    expect(text).toMatch(/^s 4$/m);
    expect(text.endsWith('\n')).toBe(true);
  });
});
