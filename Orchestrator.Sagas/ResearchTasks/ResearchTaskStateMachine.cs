using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// A research task's whole life, one <c>During</c> block per state below.
/// <para>
/// <b>How it starts.</b> A task is recorded in <c>Submitted</c> outside this machine, by the one intake
/// (<see cref="ResearchTaskState.Record"/>: the Api, or the <c>TaskSubmitted</c> consumer for a task published onto
/// the bus), so that a submission is stored once, whatever way it came in. Admission sends <see cref="TaskAccepted"/>
/// when a slot is free; that is where this machine takes over.
/// </para>
/// <para>
/// <b>The states.</b> Submitted → Discovering (→ AwaitingApproval when the plan costs more than
/// <c>Approval:Threshold</c>) → AwaitingPayment → Paying → Retrying (fetching the paid items' data, → Paying what fetched
/// as unpaid) → Reporting → Completed, or Failed or Cancelled from any working state; entering a final state gives
/// back the owner's day what the plan held and did not use. Every external call happens in a consumer; this machine
/// only decides. Paying and Retrying handle the whole plan at once.
/// </para>
/// <para>
/// <b>What comes on a clock</b> is sent by one hook, the hosts' sweep (<c>UnfinishedTaskSweep</c>), from times this
/// machine stores: <see cref="TaskDeadlinePassed"/> once <c>created_at</c> (or the approval) + <c>WORKFLOW_TIMEOUT</c>
/// has passed; <see cref="TaskSettlementExpired"/> when settling a payment outlived <c>Workflow:SettleFor</c>;
/// <see cref="DeferredStepDue"/> at <see cref="ResearchTaskState.DeferredUntil"/>, for a step that failed for now
/// (<see cref="ResearchStepDeferred"/>) and keeps the task in its state until then; <see cref="TaskApprovalExpired"/>
/// at <c>approval_expires_at</c>; and <see cref="ResumeTask"/> for a task whose step went quiet (a lost message, a
/// host that died), which repeats the step it waits on.
/// </para>
/// </summary>
public sealed partial class ResearchTaskStateMachine : MassTransitStateMachine<ResearchTaskState>
{
    readonly TimeProvider _clock;
    readonly DeferralOptions _deferral;

    public ResearchTaskStateMachine(
        TimeProvider clock,
        ILogger<ResearchTaskStateMachine> logger,
        WatchedTasks watched,
        IEnumerable<ITaskEndObserver> endObservers,
        IOptions<DeferralOptions>? deferral = null)
    {
        _clock = clock;
        _deferral = deferral?.Value ?? new DeferralOptions();
        InstanceState(x => x.CurrentState);
        // What every state change also does, one observer per job: its history row and log line, its metrics, the
        // progress notice to the hosts watching it, and (a final state) the word to admission that a slot is free.
        ConnectStateObserver(new TransitionHistory(clock, logger));
        var metrics = new TransitionMetrics(clock);
        ConnectStateObserver(metrics);
        ConnectEventObserver(metrics);
        ConnectStateObserver(new ProgressNotices(clock, watched));
        ConnectStateObserver(new TaskEndNotices([.. endObservers]));

        Event(() => TaskAccepted, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => SourcesDiscovered, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => PaymentTokenIssued, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemPaymentsMade, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ItemsDataFetched, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ReportWritten, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ResearchStepFailed, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => ResearchStepDeferred, x => x.CorrelateById(m => m.Message.TaskId));
        Event(() => DiscoverSourcesFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => RequestPaymentTokenFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => PayForItemsFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => FetchItemsDataFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => WriteReportFaulted, x => x.CorrelateById(m => m.Message.Message.TaskId));
        Event(() => DeferredStepDue, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => ResumeTask, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => CancelTask, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => TaskDeadlinePassed, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => TaskSettlementExpired, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => TaskApprovalDecided, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => TaskApprovalExpired, x =>
        {
            x.CorrelateById(m => m.Message.TaskId);
            x.OnMissingInstance(m => m.Discard());
        });

        // One block per state, in the order a task moves. In every working state: after a crash the message a task
        // waits on may be gone, so a resumed task (ResumeTask) asks for its step again; a step that failed for now
        // (ResearchStepDeferred) or crashed instead of answering (its Fault: a database outage longer than the message
        // retries ends so) is asked for again at its due time (DeferredStepDue); a cancellation or the workflow timeout
        // ends the task at once, or, while a payment is in flight, once it is settled.

        // Recorded with its owner and voice id by the Api or the bus intake, and started by admission.
        During(Submitted,
        [
            When(TaskAccepted)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            When(ResumeTask)
                .TransitionTo(Discovering)
                .Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            .. Stoppable(),
        ]);

        During(Discovering,
        [
            When(SourcesDiscovered)
                .Activity(x => x.OfType<PlanPurchases>())
                .If(x => x.Saga.ApprovalThreshold is not null, approval => approval.TransitionTo(AwaitingApproval))
                .If(x => x.Saga.ApprovalThreshold is null && x.Saga.PlannedTotal > 0, buy => buy
                    .TransitionTo(AwaitingPayment)
                    .Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)))
                .If(x => x.Saga.ApprovalThreshold is null && x.Saga.PlannedTotal == 0, nothingToBuy => nothingToBuy
                    .TransitionTo(Reporting)
                    .Publish(x => WriteReportFor(x.Saga))),
            When(ResearchStepFailed).Then(x => x.Saga.Fail(x.Message.ErrorType, x.Message.Message, Now)).TransitionTo(Failed),
            When(ResearchStepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(DiscoverSourcesFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.DataError, x.Message)),
            When(DeferredStepDue, x => x.Saga.TakeDueDeferral()).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            When(ResumeTask).Publish(x => new DiscoverSources(x.Saga.CorrelationId, x.Saga.Theme)),
            .. Stoppable(),
        ]);

        // The plan costs more than Approval:Threshold: nothing is paid until the owner (or an admin) decides, which
        // the Api records with the task before it tells the saga, or until Approval:Timeout. A decision whose message
        // was lost is told again by the hosts' sweep; one made as the timeout is decided wins only if committed first.
        During(AwaitingApproval,
        [
            When(TaskApprovalDecided, x => x.Saga.ApprovalDecision == ApprovalDecision.Approved)
                .Then(x => x.Saga.Approve(Now))
                .Then(x => x.AfterCommit(() => TaskMetrics.ApprovalEnded(TaskMetrics.ApprovalOutcomes.Approved)))
                .TransitionTo(AwaitingPayment)
                .Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)),
            When(TaskApprovalDecided, x => x.Saga.ApprovalDecision == ApprovalDecision.Rejected)
                .Then(x => x.Saga.Reject(Now))
                .Then(x => x.AfterCommit(() => TaskMetrics.ApprovalEnded(TaskMetrics.ApprovalOutcomes.Rejected)))
                .TransitionTo(Cancelled),
            When(TaskApprovalExpired, x => x.Saga.ApprovalDecision is null && x.Saga.ApprovalExpiresAt <= Now)
                .Then(x => x.Saga.ExpireApproval(Now))
                .Then(x => x.AfterCommit(() => TaskMetrics.ApprovalEnded(TaskMetrics.ApprovalOutcomes.TimedOut)))
                .TransitionTo(Cancelled),
            .. Stoppable(),
        ]);

        During(AwaitingPayment,
        [
            Proceed(When(PaymentTokenIssued).Then(x => x.Saga.RecordTokenIssued(Now))),
            When(ResearchStepFailed).Then(x => x.Saga.Fail(x.Message.ErrorType, x.Message.Message, Now)).TransitionTo(Failed),
            When(ResearchStepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(RequestPaymentTokenFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.AuthenticationError, x.Message)),
            When(DeferredStepDue, x => x.Saga.TakeDueDeferral()).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)),
            When(ResumeTask).Publish(x => new RequestPaymentToken(x.Saga.CorrelationId)),
            .. Stoppable(),
        ]);

        // Paying: one step pays every purchase started, in plan order; then everything paid or maybe paid is fetched.
        During(Paying,
        [
            Proceed(When(ItemPaymentsMade).Then(x => x.Saga.RecordPayments(x.Message.Outcomes, Now))),
            // A payment step that crashed may have charged: what it was paying is settled like any unconfirmed payment.
            Proceed(When(PayForItemsFaulted).Then(x => x.Saga.RecordPaymentsUnknown("the payment step crashed", Now))),
            When(ResumeTask).Publish(x => PayForStartedPurchases(x.Saga)),
            .. Stoppable(),
        ]);

        // Retrying: the items' data is fetched with the token (or x402's stored payment). 200 means paid (and settles an unconfirmed payment),
        // 402 means not paid: only then is the purchase paid again, under the same key.
        During(Retrying,
        [
            Proceed(When(ItemsDataFetched).Then(x => x.Saga.RecordFetches(x.Message.Items ?? [], Now, _deferral))),
            Proceed(When(ResearchStepFailed).Then(x => x.Saga.RecordFetchFailed(x.Message, Now, _deferral))),
            When(ResearchStepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(FetchItemsDataFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.DataError, x.Message)),
            Proceed(When(DeferredStepDue, x => x.Saga.TakeDueDeferral()), due: true),
            Proceed(When(ResumeTask)),
            .. Stoppable(),
        ]);

        During(Reporting,
        [
            When(ReportWritten)
                .Then(x => x.Saga.Complete(x.Message.Markdown, Now))
                .TransitionTo(Completed),
            When(ResearchStepFailed).Then(x => x.Saga.Fail(x.Message.ErrorType, x.Message.Message, Now)).TransitionTo(Failed),
            When(ResearchStepDeferred).Then(x => Defer(x.Saga, x.Message)),
            When(WriteReportFaulted).Then(x => DeferUnexpected(x.Saga, ErrorTypes.WorkflowError, x.Message)),
            When(DeferredStepDue, x => x.Saga.TakeDueDeferral()).Publish(x => WriteReportFor(x.Saga)),
            When(ResumeTask).Publish(x => WriteReportFor(x.Saga)),
            .. Stoppable(),
        ]);

        foreach (var final in new[] { Completed, Failed, Cancelled })
            WhenEnter(final, x => x.Activity(a => a.OfType<ReleaseDailyHold>()));

        // A task id that exists already starts nothing new; late or repeated replies change nothing twice.
        OnUnhandledEvent(x =>
        {
            LogIgnored(logger, x.Saga.CorrelationId, x.Event.Name, x.Saga.CurrentState);
            return x.Ignore();
        });
    }

    public State Submitted { get; private set; } = null!;
    public State Discovering { get; private set; } = null!;
    public State AwaitingApproval { get; private set; } = null!;
    public State AwaitingPayment { get; private set; } = null!;
    public State Paying { get; private set; } = null!;
    public State Retrying { get; private set; } = null!;
    public State Reporting { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<TaskAccepted> TaskAccepted { get; private set; } = null!;
    public Event<SourcesDiscovered> SourcesDiscovered { get; private set; } = null!;
    public Event<PaymentTokenIssued> PaymentTokenIssued { get; private set; } = null!;
    public Event<ItemPaymentsMade> ItemPaymentsMade { get; private set; } = null!;
    public Event<ItemsDataFetched> ItemsDataFetched { get; private set; } = null!;
    public Event<ReportWritten> ReportWritten { get; private set; } = null!;
    public Event<ResearchStepFailed> ResearchStepFailed { get; private set; } = null!;
    public Event<ResearchStepDeferred> ResearchStepDeferred { get; private set; } = null!;
    public Event<DeferredStepDue> DeferredStepDue { get; private set; } = null!;
    public Event<ResumeTask> ResumeTask { get; private set; } = null!;
    public Event<CancelTask> CancelTask { get; private set; } = null!;
    public Event<TaskDeadlinePassed> TaskDeadlinePassed { get; private set; } = null!;
    public Event<TaskSettlementExpired> TaskSettlementExpired { get; private set; } = null!;
    public Event<TaskApprovalDecided> TaskApprovalDecided { get; private set; } = null!;
    public Event<TaskApprovalExpired> TaskApprovalExpired { get; private set; } = null!;
    public Event<Fault<DiscoverSources>> DiscoverSourcesFaulted { get; private set; } = null!;
    public Event<Fault<RequestPaymentToken>> RequestPaymentTokenFaulted { get; private set; } = null!;
    public Event<Fault<PayForItems>> PayForItemsFaulted { get; private set; } = null!;
    public Event<Fault<FetchItemsData>> FetchItemsDataFaulted { get; private set; } = null!;
    public Event<Fault<WriteReport>> WriteReportFaulted { get; private set; } = null!;

    DateTime Now => _clock.GetUtcNow().UtcDateTime;

    void Defer(ResearchTaskState task, ResearchStepDeferred deferred) => task.Defer(deferred.ErrorType, deferred.Message, Now, _deferral);

    void DeferUnexpected(ResearchTaskState task, string errorType, Fault fault) =>
        task.Defer(errorType, $"The step failed unexpectedly: {fault.Exceptions.FirstOrDefault()?.Message ?? "no detail"}", Now, _deferral);

    /// <summary>
    /// After a payment or fetching step: fetches what may have been paid, pays what is left, waits for a due retry,
    /// ends as asked, or reports (<see cref="ResearchTaskState.Continue"/> decides).
    /// </summary>
    EventActivityBinder<ResearchTaskState, T> Proceed<T>(EventActivityBinder<ResearchTaskState, T> binder, bool due = false)
        where T : class =>
        binder
            .Then(x => Decide(x, x.Saga.Continue(Now, _deferral, due)))
            .If(x => Decided(x) == NextStep.Fetch, fetch => fetch
                .TransitionTo(Retrying)
                .Publish(x => new FetchItemsData(x.Saga.CorrelationId, [.. x.Saga.PurchasesToFetch.Select(p => p.ItemId)])))
            .If(x => Decided(x) == NextStep.Pay, pay => pay
                .TransitionTo(Paying)
                .Publish(x => PayForStartedPurchases(x.Saga)))
            .If(x => Decided(x) == NextStep.Report, report => report
                .TransitionTo(Reporting)
                .Publish(x => WriteReportFor(x.Saga)))
            .If(x => Decided(x) == NextStep.Stop, stop => stop
                .Then(x => x.Saga.Stop(Now))
                .IfElse(x => x.Saga.StopRequested == StopReason.Cancelled,
                    cancelled => cancelled.TransitionTo(Cancelled),
                    failed => failed.TransitionTo(Failed)));

    /// <summary>What <see cref="ResearchTaskState.Continue"/> decided for this event: kept with the event, not the task.</summary>
    sealed record Decision(NextStep Step);

    static void Decide(BehaviorContext<ResearchTaskState> context, NextStep step) =>
        context.AddOrUpdatePayload(() => new Decision(step), _ => new Decision(step));

    static NextStep Decided(BehaviorContext<ResearchTaskState> context) => context.GetPayload<Decision>().Step;

    /// <summary>
    /// Cancelled or out of time: at once when no payment is in flight, else once it is settled, or when settling
    /// took too long.
    /// </summary>
    EventActivities<ResearchTaskState>[] Stoppable() =>
    [
        When(CancelTask, x => !x.Saga.PaymentInFlight)
            .Then(x => x.Saga.Cancel(Now))
            .TransitionTo(Cancelled),
        When(CancelTask, x => x.Saga.PaymentInFlight && x.Saga.StopRequested is null)
            .Then(x => x.Saga.StopRequested = StopReason.Cancelled),
        When(TaskDeadlinePassed, x => !x.Saga.PaymentInFlight)
            .Then(x => x.Saga.TimeOut(Now))
            .TransitionTo(Failed),
        When(TaskDeadlinePassed, x => x.Saga.PaymentInFlight && x.Saga.StopRequested is null)
            .Then(x => x.Saga.StopRequested = StopReason.TimedOut),
        // Settling has a bound too (Workflow:SettleFor after the deadline): what is still unknown is left to a person.
        When(TaskSettlementExpired)
            .Then(x => x.Saga.AbandonSettlement(Now))
            .TransitionTo(Failed),
    ];

    static PayForItems PayForStartedPurchases(ResearchTaskState task) => new(
        task.CorrelationId,
        [.. task.PurchasesBeingPaid.Select(p => new ItemPayment(p.ItemId, p.Price, p.IdempotencyKey, p.X402Amount))]);

    static WriteReport WriteReportFor(ResearchTaskState task) => new(
        task.CorrelationId,
        task.Theme,
        task.Budget,
        [.. task.Purchases
            .Where(p => p.Status is PurchaseStatus.Fetched or PurchaseStatus.Reused)
            .OrderBy(p => p.PaidAt)
            .Select(p => new PurchasedSource(p.ItemId, p.Title, p.Company, p.Status == PurchaseStatus.Reused ? 0 : p.Price, p.Data!, p.PaidAt, p.DataSha256, p.ReusedFrom,
                p.PaymentReference, p.PaymentNetwork))],
        [.. task.Purchases
            .Where(p => p.Status is not (PurchaseStatus.Fetched or PurchaseStatus.Paid or PurchaseStatus.Reused))
            .OrderByDescending(p => p.Score).ThenBy(p => p.ItemId)
            .Select(p => new SourceNotBought(p.ItemId, p.Title, p.Company, p.Status == PurchaseStatus.Skipped ? null : p.Price, p.WhyNotBought(task.Budget)))]);

    [LoggerMessage(LogLevel.Debug, "Task {TaskId}: {Event} ignored in {State}")]
    static partial void LogIgnored(ILogger logger, Guid taskId, string @event, string state);
}
