using System.Text;

namespace Orchestrator.Workflow.Consumers;

/// <summary>
/// The intake endpoint reads plain JSON (no envelope, no MassTransit headers) as <c>TaskSubmitted</c>: safe here
/// because this endpoint consumes nothing else; the saga's own endpoint never sees a raw body. A publisher's
/// message carries its voice id, so nothing of it is ever copied elsewhere: no <c>Fault</c> event, no
/// <c>_error</c> queue. A message that cannot be read is dropped (the log says so, without its body); one that
/// meets a database outage is tried again for minutes first. One owner's messages are taken one at a time, so that
/// the per-owner limits count every task recorded before.
/// </summary>
public sealed class TaskSubmittedConsumerDefinition : ConsumerDefinition<TaskSubmittedConsumer>
{
    const int OwnerPartitions = 16;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TaskSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders, isDefault: true);
        endpointConfigurator.PublishFaults = false;
        endpointConfigurator.DiscardFaultedMessages();
        endpointConfigurator.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
        // One message of an owner at a time (per host), so that a burst cannot slip past the per-owner count
        // between its read and the insert; different owners' messages are still taken at once.
        consumerConfigurator.Message<TaskSubmitted>(message =>
            message.UsePartitioner(OwnerPartitions, (ConsumeContext<TaskSubmitted> submitted) => submitted.Message.OwnerId ?? "", Encoding.UTF8));
    }
}
