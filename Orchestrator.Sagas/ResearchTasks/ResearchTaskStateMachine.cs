using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Discovering → AwaitingPayment → Paying → Retrying (→ Paying for the next item) → Reporting → Completed,
/// or Failed from any working state. Every external call happens in a consumer; this machine only decides.
/// A step that failed for now (<see cref="ResearchStepDeferred"/>) keeps the task in its state until the step's
/// due time (<see cref="ResearchTaskState.RetryAt"/>), when the hosts' sweep sends <see cref="RetryStep"/>.
/// </summary>
public sealed class ResearchTaskStateMachine : MassTransitStateMachine<ResearchTaskState>
{
    readonly TimeProvider _clock;
    readonly StepRetryOptions _retry;

    public ResearchTaskStateMachine(TimeProvider clock, ILogger<ResearchTaskStateMachine> logger, IOptions<StepRetryOptions>? retry = null)
    {
        _clock = clock;
        _retry = retry?.Value ?? new StepRetryOptions();
        InstanceState(x => x.CurrentState);
        var history = new TransitionHistory(clock, logger);
        ConnectStateObserver(history);
        ConnectEventObserver(history);

        Event(() => Accepted, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => SourcesDiscovered, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => TokenIssued, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemPaid, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => PaymentUnconfirmed, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemDataFetched, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemFoundUnpaid, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ReportWritten, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => StepFailed, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => StepDeferred, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => RetryDue, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => DiscoveryFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => TokenRequestFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => PaymentFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => FetchFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => ReportFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => Resume, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => CancelRequested, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => DeadlinePassed, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });

        // Every task is recorded Submitted (with its owner and voice id) by the Api or the bus intake, then accepted.
        // After a crash the message a task waits on may be gone: a resumed task (Resume) asks for its step again, in
        // every working state. A step that failed for now (StepDeferred) or crashed instead of reporting (its Fault:
        // a database outage longer than the message retries ends so) is asked for again at its due time (RetryDue);
        // the workflow timeout ends a step that keeps failing.
        During(Submitted,
            When(Accepted)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            When(Resume)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)));

        During(Discovering,
            When(SourcesDiscovered)
                .Then(x => x.Saga.Plan(x.Message.Sources, x.Message.Skipped))
                .IfElse(x => x.Saga.Purchases.Exists(p => p.Status == PurchaseStatus.Planned),
                    buy => buy
                        .TransitionTo(AwaitingPayment)
                        .Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)),
                    nothingToBuy => nothingToBuy
                        .TransitionTo(Reporting)
                        .Publish(x => WriteReportFor(x.Saga))),
            When(StepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(DiscoveryFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.DataError, x.Message)),
            When(RetryDue, x => x.Saga.TakeDueRetry()).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            When(Resume).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)));

        During(AwaitingPayment,
            When(TokenIssued)
                .Then(x => x.Saga.RecordTokenIssued(Now))
                .Then(x => x.Saga.StartNextPurchase())
                .TransitionTo(Paying)
                .Publish(x => PayForCurrentPurchase(x.Saga)),
            When(StepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(TokenRequestFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.AuthenticationError, x.Message)),
            When(RetryDue, x => x.Saga.TakeDueRetry()).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)),
            When(Resume).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)));

        // Paying: one payment in flight. Its outcome is known (ItemPaid) or not (then the item is read to settle it).
        During(Paying,
            When(ItemPaid, x => x.Saga.CurrentPurchase?.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordPayment(x.Message.ItemId, Now))
                .IfElse(x => x.Saga.StopRequested is null,
                    fetch => fetch
                        .TransitionTo(Retrying)
                        .Publish(x => FetchCurrentPurchase(x.Saga)),
                    stop => StopAsRequested(stop)),
            When(PaymentUnconfirmed, x => x.Saga.CurrentPurchase?.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.MarkUnconfirmed(x.Message.Reason, Now))
                .TransitionTo(Retrying)
                .Publish(x => FetchCurrentPurchase(x.Saga)),
            // A payment step that crashed may have charged: it is settled like any unconfirmed payment.
            When(PaymentFaulted, x => x.Saga.CurrentPurchase?.ItemId == x.Message.Message.ItemId)
                .Then(x => x.Saga.MarkUnconfirmed("the payment step crashed", Now))
                .TransitionTo(Retrying)
                .Publish(x => FetchCurrentPurchase(x.Saga)),
            When(Resume).Publish(x => PayForCurrentPurchase(x.Saga)));

        // Retrying: the request is made again with the token. 200 means paid (and settles an unconfirmed payment),
        // 402 means not paid: only then is the same purchase paid again, under the same key.
        During(Retrying,
            When(ItemDataFetched, x => x.Saga.CurrentPurchase?.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordData(x.Message, Now))
                .IfElse(x => x.Saga.StopRequested is null,
                    next => BuyNextOrReport(next),
                    stop => StopAsRequested(stop)),
            When(ItemFoundUnpaid, x => x.Saga.CurrentPurchase is { Status: PurchaseStatus.Unconfirmed } p && p.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordFoundUnpaid(x.Message.ItemId, Now))
                .IfElse(x => x.Saga.RetryUnpaidPurchase(),
                    payAgain => payAgain
                        .TransitionTo(Paying)
                        .Publish(x => PayForCurrentPurchase(x.Saga)),
                    giveUp => giveUp.IfElse(x => x.Saga.StopRequested is not null,
                        stop => StopAsRequested(stop),
                        // The marketplace keeps failing the payment: paid again later, until the workflow timeout.
                        later => later.IfElse(x => x.Saga.DeferUnpaidPurchase(x.Message.ItemId, Now, _retry),
                            wait => wait,
                            fail => fail
                                .Then(x => x.Saga.FailUnpaidPurchase(x.Message.ItemId, Now))
                                .TransitionTo(Failed)))),
            When(ItemFoundUnpaid, x => x.Saga.CurrentPurchase is { Status: PurchaseStatus.Paid } p && p.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordFoundUnpaid(x.Message.ItemId, Now))
                .Then(x => x.Saga.Fail(ErrorTypes.PaymentError, $"Data of marketplace item {x.Message.ItemId}: the marketplace still asks for payment", Now))
                .TransitionTo(Failed),
            // Until an unconfirmed payment is settled the task cannot end with a true account of what it spent.
            When(StepFailed, x => x.Saga.MaySettleAgain)
                .Then(x => x.Saga.CurrentPurchase!.SettlementChecks++)
                .Publish(x => FetchCurrentPurchase(x.Saga)),
            // A read that failed for now (or crashed) is made again later; while a payment is unconfirmed, past the
            // workflow timeout too, for as long as it takes to learn whether it was charged.
            When(StepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(FetchFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.DataError, x.Message)),
            When(RetryDue, x => x.Saga.TakeDueRetry())
                .IfElse(x => x.Saga.ResumeDeferredPurchase(),
                    pay => pay
                        .TransitionTo(Paying)
                        .Publish(x => PayForCurrentPurchase(x.Saga)),
                    read => read.If(x => x.Saga.CurrentPurchase is not null, r => r.Publish(x => FetchCurrentPurchase(x.Saga)))),
            When(Resume, x => x.Saga.CurrentPurchase is not null).Publish(x => FetchCurrentPurchase(x.Saga)));

        During(Reporting,
            When(ReportWritten)
                .Then(x => x.Saga.Complete(x.Message.Markdown, Now))
                .TransitionTo(Completed),
            When(StepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(ReportFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.WorkflowError, x.Message)),
            When(RetryDue, x => x.Saga.TakeDueRetry()).Publish(x => WriteReportFor(x.Saga)),
            When(Resume).Publish(x => WriteReportFor(x.Saga)));

        During([Discovering, AwaitingPayment, Paying, Retrying, Reporting],
            When(StepFailed, x => !x.Saga.MaySettleAgain)
                .Then(x => x.Saga.Fail(x.Message.ErrorType, x.Message.Message, Now))
                .TransitionTo(Failed));

        // Cancelled or out of time: at once when no payment is in flight, else once it is settled.
        During([Submitted, Discovering, AwaitingPayment, Paying, Retrying, Reporting],
            When(CancelRequested, x => !x.Saga.PaymentInFlight)
                .Then(x => x.Saga.Cancel(Now))
                .TransitionTo(Cancelled),
            When(CancelRequested, x => x.Saga.PaymentInFlight && x.Saga.StopRequested is null)
                .Then(x => x.Saga.StopRequested = StopReason.Cancelled),
            When(DeadlinePassed, x => !x.Saga.PaymentInFlight)
                .Then(x => x.Saga.TimeOut(Now))
                .TransitionTo(Failed),
            When(DeadlinePassed, x => x.Saga.PaymentInFlight && x.Saga.StopRequested is null)
                .Then(x => x.Saga.StopRequested = StopReason.TimedOut));

        // A task id that exists already starts nothing new; late or repeated replies change nothing twice.
        During([Discovering, AwaitingPayment, Paying, Retrying, Reporting, Completed, Failed, Cancelled], Ignore(Accepted));
        OnUnhandledEvent(x => x.Ignore());
    }

    public State Submitted { get; private set; } = null!;
    public State Discovering { get; private set; } = null!;
    public State AwaitingPayment { get; private set; } = null!;
    public State Paying { get; private set; } = null!;
    public State Retrying { get; private set; } = null!;
    public State Reporting { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<TaskAccepted> Accepted { get; private set; } = null!;
    public Event<SourcesDiscovered> SourcesDiscovered { get; private set; } = null!;
    public Event<PaymentTokenIssued> TokenIssued { get; private set; } = null!;
    public Event<ItemPaid> ItemPaid { get; private set; } = null!;
    public Event<ItemPaymentUnconfirmed> PaymentUnconfirmed { get; private set; } = null!;
    public Event<ItemDataFetched> ItemDataFetched { get; private set; } = null!;
    public Event<ItemFoundUnpaid> ItemFoundUnpaid { get; private set; } = null!;
    public Event<ReportWritten> ReportWritten { get; private set; } = null!;
    public Event<ResearchStepFailed> StepFailed { get; private set; } = null!;
    public Event<ResearchStepDeferred> StepDeferred { get; private set; } = null!;
    public Event<RetryStep> RetryDue { get; private set; } = null!;
    public Event<ResumeTask> Resume { get; private set; } = null!;
    public Event<CancelTask> CancelRequested { get; private set; } = null!;
    public Event<TaskDeadlinePassed> DeadlinePassed { get; private set; } = null!;
    public Event<Fault<DiscoverSources>> DiscoveryFaulted { get; private set; } = null!;
    public Event<Fault<RequestPaymentToken>> TokenRequestFaulted { get; private set; } = null!;
    public Event<Fault<PayForItem>> PaymentFaulted { get; private set; } = null!;
    public Event<Fault<FetchItemData>> FetchFaulted { get; private set; } = null!;
    public Event<Fault<WriteReport>> ReportFaulted { get; private set; } = null!;

    DateTime Now => _clock.GetUtcNow().UtcDateTime;

    void Defer(ResearchTaskState task, ResearchStepDeferred deferred) => task.Defer(deferred.ErrorType, deferred.Message, Now, _retry);

    void DeferUnexpected(ResearchTaskState task, string errorType, Fault fault) =>
        task.Defer(errorType, $"The step failed unexpectedly: {fault.Exceptions.FirstOrDefault()?.Message ?? "no detail"}", Now, _retry);

    EventActivityBinder<ResearchTaskState, T> BuyNextOrReport<T>(EventActivityBinder<ResearchTaskState, T> binder)
        where T : class =>
        binder.IfElse(x => x.Saga.StartNextPurchase() is not null,
            next => next
                .TransitionTo(Paying)
                .Publish(x => PayForCurrentPurchase(x.Saga)),
            done => done
                .TransitionTo(Reporting)
                .Publish(x => WriteReportFor(x.Saga)));

    EventActivityBinder<ResearchTaskState, T> StopAsRequested<T>(EventActivityBinder<ResearchTaskState, T> binder)
        where T : class =>
        binder.IfElse(x => x.Saga.StopRequested == StopReason.Cancelled,
            cancel => cancel
                .Then(x => x.Saga.Cancel(Now))
                .TransitionTo(Cancelled),
            timeOut => timeOut
                .Then(x => x.Saga.TimeOut(Now))
                .TransitionTo(Failed));

    static FetchItemData FetchCurrentPurchase(ResearchTaskState task) => new(task.CorrelationId, task.CurrentPurchase!.ItemId);

    static PayForItem PayForCurrentPurchase(ResearchTaskState task)
    {
        var purchase = task.CurrentPurchase!;
        return new PayForItem(task.CorrelationId, purchase.ItemId, purchase.Price, purchase.IdempotencyKey);
    }

    static WriteReport WriteReportFor(ResearchTaskState task) => new(
        task.CorrelationId,
        task.Theme,
        task.Budget,
        [.. task.Purchases
            .Where(p => p.Status == PurchaseStatus.Fetched)
            .OrderBy(p => p.PaidAt)
            .Select(p => new PurchasedSource(p.ItemId, p.Title, p.Company, p.Price, p.Data!, p.PaidAt))],
        [.. task.Purchases
            .Where(p => p.Status is not (PurchaseStatus.Fetched or PurchaseStatus.Paid))
            .OrderByDescending(p => p.Score).ThenBy(p => p.ItemId)
            .Select(p => new SourceNotBought(p.ItemId, p.Title, p.Company, p.Status == PurchaseStatus.Skipped ? null : p.Price, p.WhyNotBought(task.Budget)))]);
}
