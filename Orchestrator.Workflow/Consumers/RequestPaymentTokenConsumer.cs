using Orchestrator.Workflow.Payments;

namespace Orchestrator.Workflow.Consumers;

public sealed class RequestPaymentTokenConsumer(PaymentTokens tokens) : IConsumer<RequestPaymentToken>
{
    public Task Consume(ConsumeContext<RequestPaymentToken> context)
    {
        var request = context.Message;
        return context.Complete(request.TaskId, async cancellationToken =>
        {
            await tokens.IssueAsync(request.TaskId, cancellationToken);
            return new PaymentTokenIssued(request.TaskId);
        });
    }
}
