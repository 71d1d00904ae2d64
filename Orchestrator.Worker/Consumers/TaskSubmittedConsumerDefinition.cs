namespace Orchestrator.Worker.Consumers;

/// <summary>
/// The intake endpoint reads plain JSON (no envelope, no MassTransit headers) as <c>TaskSubmitted</c>: safe here
/// because this endpoint consumes nothing else; the saga's own endpoint never sees a raw body. A publisher's
/// message carries its voice id, so nothing of it is ever copied elsewhere: no <c>Fault</c> event, no
/// <c>_error</c> queue. A message that cannot be read is dropped (the log says so, without its body); one that
/// meets a database outage is tried again for minutes first.
/// </summary>
public sealed class TaskSubmittedConsumerDefinition : ConsumerDefinition<TaskSubmittedConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TaskSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders, isDefault: true);
        endpointConfigurator.PublishFaults = false;
        endpointConfigurator.DiscardFaultedMessages();
        endpointConfigurator.UseMessageRetry(r => r.Exponential(12, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
    }
}
