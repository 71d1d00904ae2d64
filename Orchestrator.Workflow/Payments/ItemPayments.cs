using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// Pays for a step's items one after the other, each under its own key, each after the permit allowed it and with
/// the purchase claimed (<see cref="PaymentClaims"/>): never two payers of one purchase at once, and a second
/// delivery of a step that is still being paid answers nothing (the first answers for it). The first
/// payment not made for sure (refused by the permit or the marketplace, or left unconfirmed: the marketplace is likely
/// failing the rest too) stops the step: the rest are reported not made, and the saga settles them by fetching.
/// An item of the seed's dialect is paid with the task's token (<c>POST /pay</c>), an x402 item with a payment signed
/// for it alone (<see cref="X402Purchases"/>).
/// </summary>
public sealed class ItemPayments(PaymentPermit permit, PaymentClaims claims, MarketplacePurchases purchases, X402Purchases x402)
{
    /// <summary>The outcome of every payment of the step, in order; null when another delivery of it is paying.</summary>
    public async Task<IReadOnlyList<PaymentOutcome>?> PayAsync(PayForItems order, CancellationToken cancellationToken)
    {
        // Another delivery of this step holds it (a redelivered message): that one answers for it, this one pays nothing.
        await using var lease = await claims.TryHoldStepAsync(order.TaskId, cancellationToken);
        return lease is null ? null : await PayInOrderAsync(order, lease, cancellationToken);
    }

    async Task<IReadOnlyList<PaymentOutcome>?> PayInOrderAsync(PayForItems order, PaymentClaims.StepLease lease, CancellationToken cancellationToken)
    {
        // One read of the task and one of its stored x402 payments for the whole step; the permit is checked again
        // before each payment, by the claim's own statement.
        var task = await permit.ReadAsync(order.TaskId, cancellationToken);
        var stored = order.Payments.Any(p => p.X402Amount is not null)
            ? await x402.StoredPaymentsAsync(order.TaskId, cancellationToken)
            : new Dictionary<int, X402Purchases.StoredPayment?>();
        var outcomes = new List<PaymentOutcome>(order.Payments.Count);
        var committed = 0L;
        string? stoppedBy = null;
        foreach (var payment in order.Payments)
        {
            if (stoppedBy is null)
            {
                var decision = PaymentPermit.Check(task, payment, committed);
                stoppedBy = decision.Refusal;
                if (decision.Token is { } token)
                {
                    if (await lease.TryClaimAsync(payment, committed, cancellationToken) is null)
                    {
                        // The task no longer allows it (stopping, ended, or its budget) and says why; or another payer
                        // is paying this purchase now (its step's lease lapsed): that one answers for the step.
                        stoppedBy = PaymentPermit.Check(await permit.ReadAsync(order.TaskId, cancellationToken), payment, committed).Refusal;
                        if (stoppedBy is null)
                            return null;
                        outcomes.Add(new PaymentOutcome(payment.ItemId, PaymentResult.NotMade, $"The payment was not started: {stoppedBy}"));
                        continue;
                    }

                    lease.Paying = payment.ItemId;
                    var outcome = await PayAsync(order.TaskId, token, payment, stored.GetValueOrDefault(payment.ItemId), cancellationToken);
                    lease.Paying = null;
                    outcomes.Add(outcome);
                    // Only a payment made for sure lets the step go on; anything else stops it before another check.
                    if (outcome.Result == PaymentResult.Paid)
                        committed = checked(committed + payment.Amount);
                    else if (outcome.Result != PaymentResult.Declined)
                        stoppedBy = $"the payment for item {payment.ItemId} was {outcome.Result.ToString().ToLowerInvariant()}";
                    continue;
                }
            }

            outcomes.Add(new PaymentOutcome(payment.ItemId, PaymentResult.NotMade, $"The payment was not started: {stoppedBy}"));
        }

        return outcomes;
    }

    async Task<PaymentOutcome> PayAsync(Guid taskId, string token, ItemPayment payment, X402Purchases.StoredPayment? stored, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = payment.X402Amount is null
                ? new PaymentOutcome(payment.ItemId, PaymentResult.Paid,
                    Reference: await purchases.PayAsync(token, payment.ItemId, payment.Amount, payment.IdempotencyKey, cancellationToken))
                : await x402.PayAsync(taskId, payment, stored, cancellationToken);
            TaskMetrics.PaymentMade(outcome.Result switch
            {
                PaymentResult.Paid => TaskMetrics.PaymentOutcomes.Paid,
                PaymentResult.Declined => TaskMetrics.PaymentOutcomes.Declined,
                _ => TaskMetrics.PaymentOutcomes.Refused,
            });
            return outcome;
        }
        catch (ResearchStepException e) when (e.Transient)
        {
            TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Unconfirmed);
            return new PaymentOutcome(payment.ItemId, PaymentResult.Unconfirmed, e.Message);
        }
        catch (ResearchStepException e)
        {
            // The marketplace answered and said no (a 4xx other than a timeout): nothing was charged.
            TaskMetrics.PaymentMade(TaskMetrics.PaymentOutcomes.Refused);
            return new PaymentOutcome(payment.ItemId, PaymentResult.Refused, e.Message);
        }
    }
}
