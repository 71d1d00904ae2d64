using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// Pays for a step's items one after the other, each under its own key, with the step's lease and every purchase's
/// claim written first (<see cref="PaymentClaims"/>, one transaction): never two payers of one purchase at once, and
/// a second delivery of a step that is still being paid, or was paid, answers nothing (the first answers for it).
/// Before each payment the permit is checked against the task as recorded then (<see cref="PaymentPermit"/>): a
/// cancellation recorded while the step pays stops it before its next payment. The first payment not made for sure
/// (refused by the permit or the marketplace, or left unconfirmed: the marketplace is likely failing the rest too)
/// stops the step: the rest are reported not made, and the saga settles them by fetching.
/// An item of the seed's dialect is paid with the task's token (<c>POST /pay</c>), an x402 item with a payment signed
/// for it alone (<see cref="X402Purchases"/>).
/// </summary>
public sealed class ItemPayments(PaymentPermit permit, PaymentClaims claims, MarketplacePurchases purchases, X402Purchases x402)
{
    /// <summary>
    /// Pays for the step's items and sends the outcome of every payment, in order (<paramref name="answer"/>); sends
    /// nothing when another delivery of the step is paying or paid.
    /// </summary>
    public async Task PayAsync(PayForItems order, Func<ItemPaymentsMade, Task> answer, CancellationToken cancellationToken)
    {
        await using var lease = await claims.TryHoldStepAsync(order.TaskId, [.. order.Payments.Select(p => p.ItemId)], cancellationToken);
        if (lease is null)
            return;
        var outcomes = await PayInOrderAsync(order, cancellationToken);
        // The saga clears the lease and the claims with the answer it records, in its own transaction: renewing stops
        // before the answer leaves. An answer that could not be sent gives them back, for the step's next delivery.
        await lease.StopRenewingAsync();
        await answer(new ItemPaymentsMade(order.TaskId, outcomes));
        lease.HandOver();
    }

    async Task<IReadOnlyList<PaymentOutcome>> PayInOrderAsync(PayForItems order, CancellationToken cancellationToken)
    {
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
                var decision = PaymentPermit.Check(await permit.ReadAsync(order.TaskId, cancellationToken), payment, committed);
                stoppedBy = decision.Refusal;
                if (decision.Token is { } token)
                {
                    var outcome = await PayAsync(order.TaskId, token, payment, stored.GetValueOrDefault(payment.ItemId), cancellationToken);
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
