using MassTransit;

namespace Orchestrator.Worker.Consumers;

/// <summary>
/// The intake endpoint also reads plain JSON (no envelope, no MassTransit headers) as <c>TaskSubmitted</c>: safe
/// here because this endpoint consumes nothing else; the saga's own endpoint never sees a raw body.
/// </summary>
public sealed class TaskSubmittedConsumerDefinition : ConsumerDefinition<TaskSubmittedConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TaskSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders, isDefault: true);
}
