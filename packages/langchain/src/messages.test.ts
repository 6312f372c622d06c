import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { lastHumanText, lastToolCalls } from './messages.js';

describe('lastHumanText', () => {
  it('reads message objects, plain { role, content } objects and [role, content] pairs', () => {
    expect(lastHumanText([new HumanMessage('first'), new AIMessage('a'), new HumanMessage('second')])).toBe('second');
    expect(lastHumanText([{ role: 'user', content: 'plain' }, { role: 'assistant', content: 'x' }])).toBe('plain');
    expect(lastHumanText([['human', 'pair']])).toBe('pair');
    expect(lastHumanText([{ type: 'human', content: 'typed' }])).toBe('typed');
  });

  it('joins the text blocks of a content array', () => {
    const content = [{ type: 'text', text: 'look at' }, { type: 'image_url', image_url: 'x' }, { type: 'text', text: 'this' }];
    expect(lastHumanText([new HumanMessage({ content })])).toBe('look at\nthis');
  });

  it('gives undefined without a human message or a list', () => {
    expect(lastHumanText([new SystemMessage('s'), new AIMessage('a')])).toBeUndefined();
    expect(lastHumanText('not a list')).toBeUndefined();
    expect(lastHumanText([null, 3, { role: 'user', content: 7 }])).toBeUndefined();
  });
});

describe('lastToolCalls', () => {
  it('gives id -> name of the last AI message, in LangChain and OpenAI form', () => {
    const messages = [
      new AIMessage({ content: '', tool_calls: [{ name: 'old', args: {}, id: 'o-1' }] }),
      new ToolMessage({ content: 'x', tool_call_id: 'o-1' }),
      new AIMessage({ content: '', tool_calls: [{ name: 'search', args: {}, id: 'c-1' }, { name: 'no_id', args: {} }] }),
    ];
    expect(lastToolCalls(messages)).toEqual([['c-1', 'search']]);
    expect(lastToolCalls([{ role: 'assistant', tool_calls: [{ id: 'x', function: { name: 'lookup' } }] }])).toEqual([['x', 'lookup']]);
    expect(lastToolCalls([new HumanMessage('no calls')])).toEqual([]);
  });
});
