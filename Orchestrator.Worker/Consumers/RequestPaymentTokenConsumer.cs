using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Worker.Payments;

namespace Orchestrator.Worker.Consumers;

public sealed class RequestPaymentTokenConsumer(PaymentTokens tokens) : IConsumer<RequestPaymentToken>
{
    public Task Consume(ConsumeContext<RequestPaymentToken> context)
    {
        var request = context.Message;
        return context.Complete(request.TaskId, async cancellationToken =>
            new PaymentTokenIssued(request.TaskId, await tokens.RequestAsync(request.Budget, request.VoiceId, cancellationToken)));
    }
}
