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
        ConnectStateObserver(new TransitionHistory(clock, logger));

        Event(() => Accepted, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => Rejected, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => SourcesDiscovered, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => TokenIssued, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemPaid, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemDataFetched, x => x.CorrelateById(m => m.Message.TaskId));
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

        // A task recorded by the Api waits in Submitted; one published straight onto the bus starts from Initial.
        During([Initial, Submitted],
            When(Accepted)
                .Then(x => x.Saga.Start(x.Message.Theme, x.Message.Budget, x.Message.VoiceId, clock.GetUtcNow().UtcDateTime))
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme, x.Saga.Budget)));

        // A refused message records a new task as failed; it never touches one that exists.
        Initially(
            When(Rejected)
                .Then(x => x.Saga.Reject(x.Message, clock.GetUtcNow().UtcDateTime))
                .TransitionTo(Failed));

        During(Discovering,
            When(SourcesDiscovered)
                .Then(x => x.Saga.Plan(x.Message.Sources))
                .IfElse(x => x.Saga.Purchases.Exists(p => p.Status == PurchaseStatus.Planned),
                    buy => buy
                        .TransitionTo(AwaitingPayment)
                        .Publish(x => new RequestPaymentToken(x.Saga.CorrelationId, x.Saga.Budget, x.Saga.VoiceId!)),
                    nothingToBuy => nothingToBuy
                        .TransitionTo(Reporting)
                        .Publish(x => WriteReportFor(x.Saga))));

        During(AwaitingPayment,
            When(TokenIssued)
                .Then(x =>
                {
                    x.Saga.PaymentToken = x.Message.TokenId;
                    x.Saga.VoiceId = null;
                })
                .Then(x => x.Saga.StartNextPurchase())
                .TransitionTo(Paying)
                .Publish(x => PayForCurrentPurchase(x.Saga)));

        During(Paying,
            When(ItemPaid, x => x.Saga.CurrentPurchase?.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordPayment(x.Message, clock.GetUtcNow().UtcDateTime))
                .TransitionTo(Retrying)
                .Publish(x => new FetchItemData(x.Saga.CorrelationId, x.Message.ItemId, x.Saga.PaymentToken!)));

        During(Retrying,
            When(ItemDataFetched, x => x.Saga.CurrentPurchase?.ItemId == x.Message.ItemId)
                .Then(x => x.Saga.RecordData(x.Message))
                .IfElse(x => x.Saga.StartNextPurchase() is not null,
                    next => next
                        .TransitionTo(Paying)
                        .Publish(x => PayForCurrentPurchase(x.Saga)),
                    done => done
                        .TransitionTo(Reporting)
                        .Publish(x => WriteReportFor(x.Saga))));

        During(Reporting,
            When(ReportWritten)
                .Then(x => x.Saga.Complete(x.Message.Markdown, clock.GetUtcNow().UtcDateTime))
                .TransitionTo(Completed));

        During([Discovering, AwaitingPayment, Paying, Retrying, Reporting],
            When(StepFailed)
                .Then(x => x.Saga.Fail(x.Message.ErrorType, x.Message.Message, clock.GetUtcNow().UtcDateTime))
                .TransitionTo(Failed));

        // A step that crashed instead of reporting its failure (a bug, not a refusal) still ends the task.
        During(Discovering, When(DiscoveryFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.DataError, x.Message)).TransitionTo(Failed));
        During(AwaitingPayment, When(TokenRequestFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.AuthenticationError, x.Message)).TransitionTo(Failed));
        During(Paying, When(PaymentFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.PaymentError, x.Message)).TransitionTo(Failed));
        During(Retrying, When(FetchFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.DataError, x.Message)).TransitionTo(Failed));
        During(Reporting, When(ReportFaulted).Then(x => FailUnexpectedly(x.Saga, ErrorTypes.WorkflowError, x.Message)).TransitionTo(Failed));

        // After a crash the message a task waits on may be gone: a resumed task asks for its step again.
        During(Submitted,
            When(Resume)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme, x.Saga.Budget)));
        During(Discovering,
            When(Resume).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme, x.Saga.Budget)));
        During(AwaitingPayment,
            When(Resume).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId, x.Saga.Budget, x.Saga.VoiceId!)));
        During(Paying,
            When(Resume).Publish(x => PayForCurrentPurchase(x.Saga)));
        During(Retrying,
            When(Resume).Publish(x => new FetchItemData(x.Saga.CorrelationId, x.Saga.CurrentPurchase!.ItemId, x.Saga.PaymentToken!)));
        During(Reporting,
            When(Resume).Publish(x => WriteReportFor(x.Saga)));

        // A task id that exists already starts nothing new; late or repeated replies change nothing twice.
        During([Discovering, AwaitingPayment, Paying, Retrying, Reporting, Completed, Failed], Ignore(Accepted));
        During([Submitted, Discovering, AwaitingPayment, Paying, Retrying, Reporting, Completed, Failed], Ignore(Rejected));
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

    public Event<TaskAccepted> Accepted { get; private set; } = null!;
    public Event<TaskRejected> Rejected { get; private set; } = null!;
    public Event<SourcesDiscovered> SourcesDiscovered { get; private set; } = null!;
    public Event<PaymentTokenIssued> TokenIssued { get; private set; } = null!;
    public Event<ItemPaid> ItemPaid { get; private set; } = null!;
    public Event<ItemDataFetched> ItemDataFetched { get; private set; } = null!;
    public Event<ReportWritten> ReportWritten { get; private set; } = null!;
    public Event<ResearchStepFailed> StepFailed { get; private set; } = null!;
    public Event<ResumeTask> Resume { get; private set; } = null!;
    public Event<Fault<DiscoverSources>> DiscoveryFaulted { get; private set; } = null!;
    public Event<Fault<RequestPaymentToken>> TokenRequestFaulted { get; private set; } = null!;
    public Event<Fault<PayForItem>> PaymentFaulted { get; private set; } = null!;
    public Event<Fault<FetchItemData>> FetchFaulted { get; private set; } = null!;
    public Event<Fault<WriteReport>> ReportFaulted { get; private set; } = null!;

    void FailUnexpectedly(ResearchTaskState task, string errorType, Fault fault) =>
        task.Fail(errorType, $"The step failed unexpectedly: {fault.Exceptions.FirstOrDefault()?.Message ?? "no detail"}", _clock.GetUtcNow().UtcDateTime);

    static PayForItem PayForCurrentPurchase(ResearchTaskState task)
    {
        var purchase = task.CurrentPurchase!;
        return new PayForItem(task.CorrelationId, purchase.ItemId, purchase.Price, task.PaymentToken!, purchase.IdempotencyKey);
    }

    static WriteReport WriteReportFor(ResearchTaskState task) => new(
        task.CorrelationId,
        task.Theme,
        task.Budget,
        [.. task.Purchases
            .Where(p => p.Status == PurchaseStatus.Fetched)
            .Select(p => new PurchasedSource(p.ItemId, p.Title, p.Company, p.Price, p.Data!))],
        [.. task.Purchases
            .Where(p => p.Status == PurchaseStatus.OverBudget)
            .Select(p => new SourceQuote(p.ItemId, p.Title, p.Company, p.Price))]);
}
