using Orchestrator.Workflow.Recovery;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// One payer per purchase at a time, and a payment step the sweep can see. A step holds a lease on its task
/// (<see cref="ResearchTaskState.StepLeaseUntil"/>) that the stalled-task sweep respects, so a slow step is not
/// delivered a second time while it still pays; before each payment it claims the purchase's row with a
/// conditional update (<see cref="ResearchTaskPurchase.PaymentClaimedUntil"/>), so a second delivery all the same
/// (a redelivered message) pays nothing the first is paying. The same update checks the payment permit. Both last <see cref="RecoveryOptions.PaymentLease"/>,
/// the lease and the claim being paid are renewed while the step runs (<see cref="StepLease"/>), and the step gives
/// its claims and its lease back when it ends, in one statement each: a payer that crashed frees them within one lease.
/// </summary>
public sealed class PaymentClaims(OrchestratorDbContext db, IServiceScopeFactory scopes, IOptions<RecoveryOptions> recovery, TimeProvider clock)
{
    TimeSpan LeaseFor => recovery.Value.PaymentLease;

    /// <summary>
    /// Takes the step's lease on the task, renewed (with the purchase being paid) until the result is disposed; null
    /// when another delivery of a step holds it.
    /// </summary>
    public async Task<StepLease?> TryHoldStepAsync(Guid taskId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = Until();
        var held = await db.ResearchTasks
            .Where(t => t.CorrelationId == taskId && (t.StepLeaseUntil == null || t.StepLeaseUntil < now))
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, until), cancellationToken);
        if (held == 0)
            return null;

        return new StepLease(
            LeaseFor / 3,
            clock,
            async (claimedItem, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await RenewAsync(scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>(), taskId, claimedItem, token);
            },
            (payment, committed, token) => TryClaimAsync(taskId, payment, committed, token),
            async claimed =>
            {
                await ReleaseAsync(taskId, claimed, CancellationToken.None);
                await db.ResearchTasks.Where(t => t.CorrelationId == taskId)
                    .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, (DateTime?)null));
            });
    }

    /// <summary>
    /// The claim's expiry when this payer holds the purchase now and the task allows the payment
    /// (<see cref="PaymentPermit.Allows"/>, in the same statement); null when another payer holds it or the task does not.
    /// </summary>
    public async Task<DateTime?> TryClaimAsync(Guid taskId, ItemPayment payment, long committedThisStep, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = Until();
        var allows = PaymentPermit.Allows(payment, committedThisStep);
        var claimed = await db.Set<ResearchTaskPurchase>()
            .Where(p => p.TaskId == taskId && p.ItemId == payment.ItemId && (p.PaymentClaimedUntil == null || p.PaymentClaimedUntil < now)
                && db.ResearchTasks.Where(t => t.CorrelationId == p.TaskId).Any(allows))
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, until), cancellationToken);
        return claimed == 1 ? until : null;
    }

    /// <summary>Gives back this payer's claims, once its step ended (none: nothing to write).</summary>
    public async Task ReleaseAsync(Guid taskId, IReadOnlyCollection<int> itemIds, CancellationToken cancellationToken)
    {
        if (itemIds.Count == 0)
            return;
        await db.Set<ResearchTaskPurchase>()
            .Where(p => p.TaskId == taskId && itemIds.Contains(p.ItemId))
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, (DateTime?)null), cancellationToken);
    }

    async Task RenewAsync(OrchestratorDbContext context, Guid taskId, int? claimedItem, CancellationToken cancellationToken)
    {
        var until = Until();
        await context.ResearchTasks.Where(t => t.CorrelationId == taskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, until), cancellationToken);
        if (claimedItem is { } itemId)
        {
            await context.Set<ResearchTaskPurchase>()
                .Where(p => p.TaskId == taskId && p.ItemId == itemId && p.PaymentClaimedUntil != null)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, until), cancellationToken);
        }
    }

    DateTime Until() => clock.GetUtcNow().UtcDateTime + LeaseFor;

    /// <summary>
    /// A running payment step: claims the purchases it pays, renews its lease and the claim of the purchase it pays
    /// (<see cref="Paying"/>) every third of a lease on a connection of its own; disposed, it stops and gives its
    /// claims and its lease back.
    /// </summary>
    public sealed class StepLease : IAsyncDisposable
    {
        readonly Func<int?, CancellationToken, Task> _renew;
        readonly Func<ItemPayment, long, CancellationToken, Task<DateTime?>> _claim;
        readonly Func<IReadOnlyCollection<int>, Task> _end;
        readonly List<int> _claimed = [];
        readonly CancellationTokenSource _stop = new();
        readonly Task _renewing;

        internal StepLease(
            TimeSpan every,
            TimeProvider clock,
            Func<int?, CancellationToken, Task> renew,
            Func<ItemPayment, long, CancellationToken, Task<DateTime?>> claim,
            Func<IReadOnlyCollection<int>, Task> end)
        {
            (_renew, _claim, _end) = (renew, claim, end);
            _renewing = RenewUntilStoppedAsync(every, clock);
        }

        /// <summary>The purchase this step is paying now, whose claim is renewed with the lease.</summary>
        public int? Paying { get; set; }

        /// <summary>
        /// The claim's expiry when this step holds the purchase now and the task allows the payment; null when another
        /// payer holds it or the task does not (<see cref="PaymentClaims.TryClaimAsync"/>).
        /// </summary>
        public async Task<DateTime?> TryClaimAsync(ItemPayment payment, long committedThisStep, CancellationToken cancellationToken)
        {
            var until = await _claim(payment, committedThisStep, cancellationToken);
            if (until is not null)
                _claimed.Add(payment.ItemId);
            return until;
        }

        async Task RenewUntilStoppedAsync(TimeSpan every, TimeProvider clock)
        {
            using var timer = new PeriodicTimer(every, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        await _renew(Paying, _stop.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A database that does not answer now: the next tick tries again (the lease outlives two misses).
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            await _end(_claimed);
        }
    }
}
