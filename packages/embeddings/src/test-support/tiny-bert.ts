// Writes a tiny BERT-shaped model folder that @huggingface/transformers can load offline:
// a WordPiece tokenizer, a config with model_type bert, and a one-layer ONNX graph
// (embeddings + positions + masked self-attention + dense/tanh) in fp32 and 8-bit variants.
// Weights come from a seeded generator: the same seed gives byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@skills/protocol';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const UINT8 = onnx.TensorProto.DataType.UINT8;

/** What {@link writeTinyBert} built. */
export interface TinyBert {
  readonly folder: string;
  readonly hiddenSize: number;
  readonly vocab: readonly string[];
}

export interface TinyBertOptions {
  readonly hiddenSize?: number;
  readonly maxPositions?: number;
  readonly seed?: number;
}


const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = [
  'the', 'a', 'to', 'and', 'of', 'run', 'test', 'tests', 'fix', 'type', 'check', 'code', 'review', 'deploy',
  'build', 'lint', 'write', 'docs', 'unit', 'failing', 'error', 'errors', 'python', 'pytest', 'mypy', 'async',
];

function vocabulary(): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const punctuation = '.,?!-\'"()/:;_#+'.split('');
  return [...SPECIALS, ...WORDS, ...letters, ...letters.map((l) => `##${l}`), ...punctuation];
}

function floatTensor(name: string, dims: number[], data: Float32Array) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(0)) });
}

function int64Tensor(name: string, dims: number[], values: number[]) {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({ name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) });
}

/** Per-tensor asymmetric 8-bit quantisation, as dynamic quantisation writes it. */
function quantize(name: string, dims: number[], data: Float32Array) {
  let min = 0;
  let max = 0;
  for (const x of data) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const scale = (max - min) / 255 || 1;
  const zeroPoint = Math.round(-min / scale);
  const q = Uint8Array.from(data, (x) => Math.max(0, Math.min(255, Math.round(x / scale) + zeroPoint)));
  return [
    onnx.TensorProto.create({ name: `${name}_quantized`, dims, dataType: UINT8, rawData: q }),
    floatTensor(`${name}_scale`, [], new Float32Array([scale])),
    onnx.TensorProto.create({ name: `${name}_zero_point`, dims: [], dataType: UINT8, rawData: new Uint8Array([zeroPoint]) }),
  ];
}

function node(opType: string, input: string[], output: string[], attribute: object[] = []) {
  return onnx.NodeProto.create({ opType, input, output, name: output[0], attribute });
}

function io(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

function buildModel(vocabSize: number, hidden: number, maxPositions: number, seed: number, quantized: boolean): Uint8Array {
  const rand = seededRandom(seed);
  const gaussianish = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() + rand() + rand() - 1.5) * scale);
  const wordEmb = gaussianish(vocabSize * hidden, 1);
  const typeEmb = gaussianish(2 * hidden, 0.1);
  const posEmb = gaussianish(maxPositions * hidden, 0.1);
  const dense = gaussianish(hidden * hidden, 1 / Math.sqrt(hidden));
  const bias = gaussianish(hidden, 0.1);

  const initializer = [
    floatTensor('type_emb', [2, hidden], typeEmb),
    floatTensor('pos_emb', [maxPositions, hidden], posEmb),
    floatTensor('dense_bias', [hidden], bias),
    int64Tensor('one_i', [], [1]),
    int64Tensor('zero_i', [], [0]),
    int64Tensor('axes_1', [1], [1]),
    floatTensor('one_f', [], new Float32Array([1])),
    floatTensor('neg_big', [], new Float32Array([-10000])),
    floatTensor('inv_sqrt_h', [], new Float32Array([1 / Math.sqrt(hidden)])),
  ];
  const nodes = [];
  if (quantized) {
    initializer.push(...quantize('word_emb', [vocabSize, hidden], wordEmb), ...quantize('dense_w', [hidden, hidden], dense));
    nodes.push(
      node('DequantizeLinear', ['word_emb_quantized', 'word_emb_scale', 'word_emb_zero_point'], ['word_emb']),
      node('DequantizeLinear', ['dense_w_quantized', 'dense_w_scale', 'dense_w_zero_point'], ['dense_w']),
    );
  } else {
    initializer.push(floatTensor('word_emb', [vocabSize, hidden], wordEmb), floatTensor('dense_w', [hidden, hidden], dense));
  }
  nodes.push(
    // Embeddings: word + token type + position.
    node('Gather', ['word_emb', 'input_ids'], ['we']),
    node('Gather', ['type_emb', 'token_type_ids'], ['te']),
    node('Shape', ['input_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'one_i'], ['seq_len'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
    node('Range', ['zero_i', 'seq_len', 'one_i'], ['positions']),
    node('Gather', ['pos_emb', 'positions'], ['pe']),
    node('Add', ['we', 'te'], ['x0']),
    node('Add', ['x0', 'pe'], ['x']),
    // One head of self-attention; padded positions get -10000 before the softmax.
    node('Transpose', ['x'], ['xt'], [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }]),
    node('MatMul', ['x', 'xt'], ['scores_raw']),
    node('Mul', ['scores_raw', 'inv_sqrt_h'], ['scores']),
    node('Cast', ['attention_mask'], ['mask_f'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }]),
    node('Sub', ['one_f', 'mask_f'], ['mask_inv']),
    node('Mul', ['mask_inv', 'neg_big'], ['mask_bias']),
    node('Unsqueeze', ['mask_bias', 'axes_1'], ['mask_bias3']),
    node('Add', ['scores', 'mask_bias3'], ['scores_masked']),
    node('Softmax', ['scores_masked'], ['probs'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }]),
    node('MatMul', ['probs', 'x'], ['context']),
    node('Add', ['context', 'x'], ['residual']),
    // Dense + tanh.
    node('MatMul', ['residual', 'dense_w'], ['projected']),
    node('Add', ['projected', 'dense_bias'], ['pre_activation']),
    node('Tanh', ['pre_activation'], ['last_hidden_state']),
  );
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'skills-tiny-bert',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_bert',
      node: nodes,
      initializer,
      input: [
        io('input_ids', INT64, ['batch_size', 'sequence_length']),
        io('attention_mask', INT64, ['batch_size', 'sequence_length']),
        io('token_type_ids', INT64, ['batch_size', 'sequence_length']),
      ],
      output: [io('last_hidden_state', FLOAT, ['batch_size', 'sequence_length', hidden])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson(vocab: readonly string[]) {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const special = (content: string) => ({
    id: ids[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/**
 * Writes the tiny model into `folder` (created): config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx and onnx/model_quantized.onnx.
 */
export function writeTinyBert(folder: string, options: TinyBertOptions = {}): TinyBert {
  const hidden = options.hiddenSize ?? 16;
  const maxPositions = options.maxPositions ?? 64;
  const seed = options.seed ?? 42;
  const vocab = vocabulary();
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: hidden,
    intermediate_size: hidden,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    max_position_embeddings: maxPositions,
    type_vocab_size: 2,
    vocab_size: vocab.length,
    pad_token_id: 0,
  };
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
  writeFileSync(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: maxPositions,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
      clean_up_tokenization_spaces: true,
    }),
  );
  writeFileSync(join(folder, 'onnx', 'model.onnx'), buildModel(vocab.length, hidden, maxPositions, seed, false));
  writeFileSync(join(folder, 'onnx', 'model_quantized.onnx'), buildModel(vocab.length, hidden, maxPositions, seed, true));
  return { folder, hiddenSize: hidden, vocab };
}
