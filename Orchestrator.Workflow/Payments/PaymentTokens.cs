using System.Net;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// The task's single payment token, bounded by what its plan will pay (the seed's <c>budget</c> field carries the
/// plan's total, never the whole budget: a seller holding the token can take no more than the plan). The voice id and
/// the token live only in the task's row: the token is requested with the stored voice id, stored in its place, read
/// back by task id, and forgotten when the task ends, so no message ever carries either.
/// </summary>
public sealed class PaymentTokens(IPaymentManagerApi paymentManager, OrchestratorDbContext db)
{
    const string What = "Payment token request";

    /// <summary>Obtains and stores the task's token, unless an earlier delivery of the request did already.</summary>
    public async Task IssueAsync(Guid taskId, CancellationToken cancellationToken)
    {
        var task = await Tasks(taskId)
            .Select(t => new { PlanTotal = t.Purchases.Where(p => p.Status == PurchaseStatus.Planned).Sum(p => p.Price), t.VoiceId, t.PaymentToken })
            .FirstOrDefaultAsync(cancellationToken);
        if (task?.PaymentToken is not null)
            return;
        if (task?.VoiceId is null)
            throw new ResearchStepException(ErrorTypes.WorkflowError, "The task holds no voice id to request a payment token with");

        var token = await RequestAsync(task.PlanTotal, task.VoiceId, cancellationToken);
        await Tasks(taskId)
            // The first token stored wins: a request delivered twice must not swap the token under a payment.
            .Where(t => t.CurrentState == TaskStates.AwaitingPayment && t.PaymentToken == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.PaymentToken, token).SetProperty(x => x.VoiceId, (string?)null), cancellationToken);
    }

    /// <summary>The token stored with the task; a task without one (it ended) cannot fetch what it paid for.</summary>
    public async Task<string> StoredAsync(Guid taskId, CancellationToken cancellationToken) =>
        await Tasks(taskId).Select(t => t.PaymentToken).FirstOrDefaultAsync(cancellationToken)
        ?? throw new ResearchStepException(ErrorTypes.DataError, "The task holds no payment token");

    async Task<string> RequestAsync(long planTotal, string voiceId, CancellationToken cancellationToken)
    {
        var response = await ExternalCall.Run(ErrorTypes.PaymentError, What,
            () => paymentManager.RequestToken(new TokenRequest(planTotal, voiceId), cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.Unauthorized) || response.Is(HttpStatusCode.Forbidden))
            throw new ResearchStepException(ErrorTypes.AuthenticationError, "Voice authentication failed");
        if (!response.IsSuccessful || string.IsNullOrEmpty(response.Content?.TokenId))
            throw ExternalCall.Unexpected(ErrorTypes.PaymentError, What, response);

        return response.Content.TokenId;
    }

    IQueryable<ResearchTaskState> Tasks(Guid taskId) =>
        db.UntrackedTasks.Where(t => t.CorrelationId == taskId);
}
