// Word lists for the generated data set. Names are grouped by family so that a model is only
// paired with datasets and tasks a person would actually train it on. Some entries carry
// upper-case letters on purpose: search is case-insensitive and sorting is by code unit, so
// both need mixed case to be tested.

export interface NameFamily {
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  readonly tasks: readonly string[];
}

export const FAMILIES: readonly NameFamily[] = [
  {
    models: ['resnet50', 'ResNet101', 'mobilenet-v3', 'efficientnet-b0', 'ViT-B16', 'convnext-tiny'],
    datasets: ['imagenet', 'cifar10', 'flowers102', 'food101', 'plant-disease'],
    tasks: ['finetune', 'classification', 'pretrain', 'distill'],
  },
  {
    models: ['yolov5s', 'YOLOv8m', 'faster-rcnn', 'retinanet', 'ssd-mobilenet'],
    datasets: ['coco', 'helmet', 'voc2012', 'traffic-sign', 'pcb-defect'],
    tasks: ['detection', 'finetune', 'tiny-objects'],
  },
  {
    models: ['unet', 'deeplabv3', 'segformer-b2', 'mask-rcnn'],
    datasets: ['cityscapes', 'ade20k', 'medical-ct', 'remote-sensing'],
    tasks: ['segmentation', 'finetune'],
  },
  {
    models: ['bert-base-zh', 'BERT-large', 'roberta-wwm', 't5-small', 'gpt2-small', 'llama2-7b-lora', 'pangu-alpha'],
    datasets: ['weibo', 'cluener', 'cmrc2018', 'news-zh', 'squad', 'customer-chat'],
    tasks: ['ner', 'sentiment', 'qa', 'summarization', 'sft', 'pretrain'],
  },
  {
    models: ['wav2vec2', 'conformer', 'tacotron2'],
    datasets: ['aishell', 'librispeech', 'call-center'],
    tasks: ['asr', 'tts', 'finetune'],
  },
];

/** Empty entries are repeated so that roughly a third of names carry no suffix. */
export const SUFFIXES: readonly string[] = [
  '', '', '', '', '-v1', '-v2', '-v3', '-exp4', '-lr1e-4', '-bs64', '-0612', '-FINAL', '-test', '-retry2',
];

/** `{model}` and `{dataset}` are substituted; empty entries make about a fifth of jobs undescribed. */
export const DESCRIPTIONS: readonly string[] = [
  '', '', '', '',
  'Baseline run with default hyperparameters',
  'Fine-tune {model} on {dataset}, lr 1e-4, batch 64',
  'Retry after OOM on 8x V100; reduced batch size to 32',
  'Nightly training triggered by the data pipeline',
  "Compare against last week's best checkpoint",
  'Ablation: no pretrained weights',
  'Distributed training, 4 nodes x 8 NPUs (Ascend 910)',
  'Mixed precision, cosine schedule, 90 epochs',
  '基于{dataset}数据集微调{model}',
  '第二轮迭代，修正了部分标注错误',
  '学习率调整为0.001，增加数据增强',
  '客户验收前的最终版本',
  '清洗后的{dataset}标注数据，重新训练',
];
