using MassTransit;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Discovering → AwaitingPayment → Paying → Retrying (→ Paying for the next item) → Reporting → Completed,
/// or Failed from any working state. Every external call happens in a consumer; this machine only decides.
/// </summary>
public sealed class ResearchTaskStateMachine : MassTransitStateMachine<ResearchTaskState>
{
    readonly TimeProvider _clock;

    public ResearchTaskStateMachine(TimeProvider clock, ILogger<ResearchTaskStateMachine> logger)
    {
        _clock = clock;
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
        During(Submitted,
            When(Accepted)
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
                        .Publish(x => WriteReportFor(x.Saga))));

        During(AwaitingPayment,
            When(TokenIssued)
                .Then(x => x.Saga.RecordTokenIssued(Now))
                .Then(x => x.Saga.StartNextPurchase())
                .TransitionTo(Paying)
                .Publish(x => PayForCurrentPurchase(x.Saga)));

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
                .Publish(x => FetchCurrentPurchase(x.Saga)));

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
                        fail => fail
                            .Then(x => x.Saga.FailUnpaidPurchase(x.Message.ItemId, Now))
                            .TransitionTo(Failed))),
            When(ItemFoundUnpaid, x => x.Saga.CurrentPurchase is { Status: PurchaseStatus.Paid } p && p.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordFoundUnpaid(x.Message.ItemId, Now))
                .Then(x => x.Saga.Fail(ErrorTypes.PaymentError, $"Data of marketplace item {x.Message.ItemId}: the marketplace still asks for payment", Now))
                .TransitionTo(Failed),
            // Until an unconfirmed payment is settled the task cannot end with a true account of what it spent.
            When(StepFailed, x => x.Saga.MaySettleAgain)
                .Then(x => x.Saga.CurrentPurchase!.SettlementChecks++)
                .Publish(x => FetchCurrentPurchase(x.Saga)));

        During(Reporting,
            When(ReportWritten)
                .Then(x => x.Saga.Complete(x.Message.Markdown, Now))
                .TransitionTo(Completed));

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

        // A step that crashed instead of reporting its failure (a bug, not a refusal) still ends the task.
        During(Discovering, When(DiscoveryFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.DataError, x.Message)).TransitionTo(Failed));
        During(AwaitingPayment, When(TokenRequestFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.AuthenticationError, x.Message)).TransitionTo(Failed));
        During(Retrying, When(FetchFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.DataError, x.Message)).TransitionTo(Failed));
        During(Reporting, When(ReportFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.WorkflowError, x.Message)).TransitionTo(Failed));

        // After a crash the message a task waits on may be gone: a resumed task asks for its step again.
        During(Submitted,
            When(Resume)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)));
        During(Discovering,
            When(Resume).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)));
        During(AwaitingPayment,
            When(Resume).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)));
        During(Paying,
            When(Resume).Publish(x => PayForCurrentPurchase(x.Saga)));
        During(Retrying,
            When(Resume).Publish(x => FetchCurrentPurchase(x.Saga)));
        During(Reporting,
            When(Resume).Publish(x => WriteReportFor(x.Saga)));

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
    public Event<ResumeTask> Resume { get; private set; } = null!;
    public Event<CancelTask> CancelRequested { get; private set; } = null!;
    public Event<TaskDeadlinePassed> DeadlinePassed { get; private set; } = null!;
    public Event<Fault<DiscoverSources>> DiscoveryFaulted { get; private set; } = null!;
    public Event<Fault<RequestPaymentToken>> TokenRequestFaulted { get; private set; } = null!;
    public Event<Fault<PayForItem>> PaymentFaulted { get; private set; } = null!;
    public Event<Fault<FetchItemData>> FetchFaulted { get; private set; } = null!;
    public Event<Fault<WriteReport>> ReportFaulted { get; private set; } = null!;

    DateTime Now => _clock.GetUtcNow().UtcDateTime;

    void FailUnexpectedly(ResearchTaskState task, string errorType, Fault fault) =>
        task.Fail(errorType, $"The step failed unexpectedly: {fault.Exceptions.FirstOrDefault()?.Message ?? "no detail"}", Now);

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
