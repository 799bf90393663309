variable "name" {
  description = "Consumer name, e.g. `foyer-dev-inventory`: names its rule, its queue, the DLQ `<name>-dlq` and the alarm `<name>-dlq-not-empty`."
  type        = string

  validation {
    # Rule names are at most 64 characters; queue names allow no '.' outside a FIFO suffix.
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-' (an EventBridge rule and SQS queue name); got \"${var.name}\"."
  }
}

variable "event_bus_name" {
  description = "Name of the environment's event bus (the event_bus module's `name` output)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,256}$", var.event_bus_name))
    error_message = "event_bus_name must be an event bus name (1-256 characters of A-Z, a-z, 0-9, '.', '_' or '-'); got \"${var.event_bus_name}\"."
  }
}

variable "sources" {
  description = "Event sources the rule matches (the envelope's `source`, e.g. `foyer.orders`); at least one."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.sources) > 0
    error_message = "sources must name at least one event source: a rule without one would take every event on the bus."
  }

  validation {
    condition     = alltrue([for s in var.sources : can(regex("^[A-Za-z0-9._-]{1,256}$", s))])
    error_message = "Each source must be 1-256 characters of A-Z, a-z, 0-9, '.', '_' or '-'; got ${jsonencode(var.sources)}."
  }
}

variable "detail_types" {
  description = "Detail types the rule matches (the event types, e.g. `OrderPlaced`), or [] for every type from `sources`."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for t in var.detail_types : length(trimspace(t)) > 0 && length(t) <= 128])
    error_message = "Each detail type must be 1-128 characters and not blank; got ${jsonencode(var.detail_types)}."
  }
}

variable "function_name" {
  description = "The consumer function the queue feeds: its name or ARN (an alias ARN when it publishes versions)."
  type        = string

  validation {
    condition     = can(regex("^([A-Za-z0-9_-]{1,64}|arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?)$", var.function_name))
    error_message = "function_name must be a Lambda function name or ARN; got \"${var.function_name}\"."
  }
}

variable "function_timeout" {
  description = "Timeout of the consumer function in seconds (lambda_app's `timeout`): the queue's visibility timeout is derived from it and checked against it."
  type        = number

  validation {
    condition     = var.function_timeout >= 1 && var.function_timeout <= 900 && floor(var.function_timeout) == var.function_timeout
    error_message = "function_timeout must be a whole number of seconds between 1 and 900 (Lambda's limits); got ${var.function_timeout}."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue, or null for 6 x function_timeout + maximum_batching_window_in_seconds. At least 6 x function_timeout, as AWS advises, so Lambda can retry a throttled batch before the messages reappear."
  type        = number
  default     = null

  validation {
    condition     = var.visibility_timeout_seconds == null || try(var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds, false)
    error_message = "visibility_timeout_seconds must be a whole number of seconds up to 43200 (12 hours, SQS' maximum); got ${jsonencode(var.visibility_timeout_seconds)}."
  }

  validation {
    condition     = var.visibility_timeout_seconds == null || try(var.visibility_timeout_seconds >= 6 * var.function_timeout, false)
    error_message = "visibility_timeout_seconds is ${jsonencode(var.visibility_timeout_seconds)} s but must be at least 6 x function_timeout = 6 x ${var.function_timeout} = ${6 * var.function_timeout} s: with less, messages of a throttled or retried batch reappear while the first delivery may still run."
  }
}

variable "message_retention_seconds" {
  description = "How long the queue keeps a message, in seconds (the DLQ keeps 14 days, the maximum)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number between 60 and 1209600 (14 days); got ${var.message_retention_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives after which a message moves to the DLQ (the redrive policy's maxReceiveCount)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000 (SQS' maxReceiveCount range); got ${var.max_receive_count}."
  }
}

variable "batch_size" {
  description = "Most messages per invocation: up to 10, or up to 10000 with a batching window."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number between 1 and 10000; got ${var.batch_size}."
  }

  validation {
    condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
    error_message = "batch_size ${var.batch_size} needs maximum_batching_window_in_seconds >= 1: Lambda refuses SQS batches over 10 without a batching window (it is ${var.maximum_batching_window_in_seconds})."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds Lambda may wait to fill a batch before invoking (0 = invoke as soon as messages arrive)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number between 0 and 300; got ${var.maximum_batching_window_in_seconds}."
  }
}

variable "maximum_concurrency" {
  description = "Most concurrent invocations this queue may drive (2-1000), or null for no limit beyond the function's."
  type        = number
  default     = null

  validation {
    condition     = var.maximum_concurrency == null || try(var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency, false)
    error_message = "maximum_concurrency must be null or a whole number between 2 and 1000; got ${jsonencode(var.maximum_concurrency)}."
  }
}

variable "enabled" {
  description = "Whether Lambda polls the queue. false in the local environment: an enabled mapping makes the emulator try to run the function in Docker on every send, raising receive counts until good messages reach the DLQ; the local stack's pollers run the mapping instead."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting both queues, or null for SQS-managed encryption (SSE-SQS). Its key policy must allow `events.amazonaws.com` kms:GenerateDataKey and kms:Decrypt; `policy_statements` then includes kms:Decrypt for the consumer."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>); got ${jsonencode(var.kms_key_arn)}."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic notified when the DLQ starts and stops holding messages, or null for an alarm without actions."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>); got ${jsonencode(var.alarm_topic_arn)}."
  }
}

variable "tags" {
  description = "Tags applied to the rule, queues, mapping and alarm."
  type        = map(string)
  default     = {}
}

variable "redrive_allow_policy" {
  description = "Let only this consumer's queue use its DLQ (aws_sqs_queue_redrive_allow_policy). False only against the emulator, which neither stores nor returns RedriveAllowPolicy."
  type        = bool
  default     = true
  nullable    = false
}
