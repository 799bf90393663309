resource "aws_cloudwatch_event_bus" "this" {
  name               = var.name
  description        = var.description
  kms_key_identifier = var.kms_key_arn
  tags               = var.tags
}

# Every event the bus accepts, kept for replay: a consumer that was down or wrong can be fed again
# from the archive (EventBridge replays to the rules of this bus only).
resource "aws_cloudwatch_event_archive" "this" {
  count = var.archive_retention_days == null ? 0 : 1

  name             = var.name
  description      = "Every event on ${var.name}, kept ${var.archive_retention_days == 0 ? "indefinitely" : "${var.archive_retention_days} days"} for replay."
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive_retention_days
}
