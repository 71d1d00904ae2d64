using Orchestrator.Workflow.Recovery;

namespace Orchestrator.Workflow.Payments;

/// <summary>
/// One payer per purchase at a time, and a payment step the sweep can see, written in one transaction before any
/// money moves: the step's lease on its task (<see cref="ResearchTaskState.StepLeaseUntil"/>), which the
/// stalled-task sweep respects, so a slow step is not delivered a second time while it still pays; and a claim on
/// each purchase it pays (<see cref="ResearchTaskPurchase.PaymentClaimedUntil"/>), taken only while the saga has the
/// purchase being paid. A second delivery of the step (a redelivered message) takes neither while the first holds
/// them, nor once the saga recorded what the first paid, and pays nothing. Both last
/// <see cref="RecoveryOptions.PaymentLease"/> and are renewed while the step runs (<see cref="StepLease"/>).
/// <para>
/// A step whose answer was sent leaves them to the saga, which clears them with the answer it records
/// (<see cref="ResearchTaskState.RecordPayments"/>), in its own transaction; a step that failed, or whose answer
/// could not be sent, gives them back itself; a payer that crashed, or whose answer was lost after it left, leaves
/// them to lapse within one lease.
/// </para>
/// </summary>
public sealed class PaymentClaims(OrchestratorDbContext db, IServiceScopeFactory scopes, IOptions<RecoveryOptions> recovery, TimeProvider clock)
{
    TimeSpan LeaseFor => recovery.Value.PaymentLease;

    /// <summary>
    /// Takes the step's lease on the task and claims every purchase of <paramref name="itemIds"/>, together or not at
    /// all; null when another delivery of a step holds the lease or a claim, or when the saga no longer has one of
    /// them being paid.
    /// </summary>
    public async Task<StepLease?> TryHoldStepAsync(Guid taskId, IReadOnlyCollection<int> itemIds, CancellationToken cancellationToken)
    {
        var items = itemIds.Distinct().ToArray();
        var held = await db.Database.CreateExecutionStrategy().ExecuteAsync(token => TryHoldAsync(taskId, items, token), cancellationToken);
        if (!held)
            return null;

        return new StepLease(
            LeaseFor / 3,
            clock,
            async token =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await RenewAsync(scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>(), taskId, items, token);
            },
            async () =>
            {
                await db.Set<ResearchTaskPurchase>()
                    .Where(p => p.TaskId == taskId && items.Contains(p.ItemId))
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, (DateTime?)null));
                await db.ResearchTasks.Where(t => t.CorrelationId == taskId)
                    .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, (DateTime?)null));
            });
    }

    async Task<bool> TryHoldAsync(Guid taskId, int[] items, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = Until();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var leased = await db.ResearchTasks
            .Where(t => t.CorrelationId == taskId && (t.StepLeaseUntil == null || t.StepLeaseUntil < now))
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, until), cancellationToken);
        if (leased == 0)
            return false;
        if (items.Length > 0)
        {
            var claimed = await db.Set<ResearchTaskPurchase>()
                .Where(p => p.TaskId == taskId && items.Contains(p.ItemId) && p.Status == PurchaseStatus.Paying
                    && (p.PaymentClaimedUntil == null || p.PaymentClaimedUntil < now))
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, until), cancellationToken);
            // Disposed uncommitted, the transaction takes the lease back with the claims.
            if (claimed != items.Length)
                return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    async Task RenewAsync(OrchestratorDbContext context, Guid taskId, int[] items, CancellationToken cancellationToken)
    {
        var until = Until();
        await context.ResearchTasks.Where(t => t.CorrelationId == taskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, until), cancellationToken);
        await context.Set<ResearchTaskPurchase>()
            .Where(p => p.TaskId == taskId && items.Contains(p.ItemId) && p.PaymentClaimedUntil != null)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, until), cancellationToken);
    }

    DateTime Until() => clock.GetUtcNow().UtcDateTime + LeaseFor;

    /// <summary>
    /// A running payment step: renews its lease and its claims every third of a lease on a connection of its own;
    /// disposed, it stops, and gives them back unless they were handed to the saga with the step's answer
    /// (<see cref="HandOver"/>).
    /// </summary>
    public sealed class StepLease : IAsyncDisposable
    {
        readonly Func<CancellationToken, Task> _renew;
        readonly Func<Task> _giveBack;
        readonly CancellationTokenSource _stop = new();
        readonly Task _renewing;
        bool _handedOver;

        internal StepLease(TimeSpan every, TimeProvider clock, Func<CancellationToken, Task> renew, Func<Task> giveBack)
        {
            (_renew, _giveBack) = (renew, giveBack);
            _renewing = RenewUntilStoppedAsync(every, clock);
        }

        /// <summary>
        /// The step's answer was sent: the lease and the claims stay for the saga to clear when it records it (or to
        /// lapse, if the answer is lost).
        /// </summary>
        public void HandOver() => _handedOver = true;

        async Task RenewUntilStoppedAsync(TimeSpan every, TimeProvider clock)
        {
            using var timer = new PeriodicTimer(every, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        await _renew(_stop.Token);
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

        /// <summary>Stops renewing the lease and the claims: the step has its answer.</summary>
        public async Task StopRenewingAsync()
        {
            if (!_stop.IsCancellationRequested)
                await _stop.CancelAsync();
            await _renewing;
        }

        public async ValueTask DisposeAsync()
        {
            await StopRenewingAsync();
            _stop.Dispose();
            if (!_handedOver)
                await _giveBack();
        }
    }
}
