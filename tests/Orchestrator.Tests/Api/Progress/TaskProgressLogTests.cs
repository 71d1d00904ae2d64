using Orchestrator.Api.Progress;

namespace Orchestrator.Tests.Api.Progress;

/// <summary>The progress events rebuilt from the database rows, read while the task is still running.</summary>
public sealed class TaskProgressLogTests
{
    static readonly DateTime T0 = new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_later_read_extends_an_earlier_one_with_the_same_ids()
    {
        var (task, transitions, audit) = PaidOneItem();

        var early = TaskProgressLog.Build(task, transitions[..3], audit);
        var later = TaskProgressLog.Build(task, transitions, audit);

        Assert.Equal(early.Select(Describe), later.Take(early.Count).Select(Describe));
        Assert.True(later.Count > early.Count);
    }

    [Fact]
    public void Audit_entries_of_a_step_whose_state_change_was_not_read_yet_wait_for_it()
    {
        var (task, transitions, audit) = PaidOneItem();

        var beforePaymentStep = TaskProgressLog.Build(task, transitions[..4], audit);

        Assert.DoesNotContain(beforePaymentStep, e => e.Type == ProgressEventTypes.Payment);
        Assert.DoesNotContain(beforePaymentStep, e => e.IsFinal);
    }

    [Fact]
    public void Payments_carry_what_is_spent_and_what_remains_and_the_quotes_and_plan_come_with_discovery()
    {
        var (task, transitions, audit) = PaidOneItem();

        var events = TaskProgressLog.Build(task, transitions, audit);

        Assert.Equal(
            ["state", "state", "quote", "quote", "plan", "state", "state", "payment", "state", "source", "state", "state", "final"],
            events.Select(e => e.Type));
        var payment = Assert.IsType<Payment>(events.Single(e => e.Type == ProgressEventTypes.Payment).Data);
        Assert.Equal(new Payment(7, 10, "paid", 10, 40), payment);
        var plan = Assert.IsType<Plan>(events.Single(e => e.Type == ProgressEventTypes.Plan).Data);
        Assert.Equal([new PlannedItem(7, "Seven", 10, 2)], plan.Items);
        Assert.Equal(10, plan.Total);
        Assert.Equal(new Final("Completed", 10, null), events[^1].Data);
    }

    [Fact]
    public void A_plan_above_the_approval_threshold_sends_its_approval_before_the_task_is_seen_waiting()
    {
        var (task, transitions) = AwaitingApproval();

        var events = TaskProgressLog.Build(task, transitions, [.. task.AuditEvents]);

        Assert.Equal(["state", "state", "quote", "quote", "plan", "approval", "state"], events.Select(e => e.Type));
        Assert.Equal(new Approval(10, 5, new DateTimeOffset(T0.AddHours(24).AddSeconds(2))), events.Single(e => e.Type == ProgressEventTypes.Approval).Data);
        Assert.Equal(new StateChange("Discovering", "AwaitingApproval", new DateTimeOffset(T0.AddSeconds(2).AddMilliseconds(1))), events[^1].Data);
    }

    [Fact]
    public void The_approval_is_sent_once_and_keeps_its_id_after_the_plan_was_rejected()
    {
        var (task, transitions) = AwaitingApproval();
        var waiting = TaskProgressLog.Build(task, transitions, [.. task.AuditEvents]);
        task.ApprovalDecision = ApprovalDecision.Rejected;
        task.ApprovalDecidedBy = "alice";
        task.Reject(T0.AddSeconds(30));
        task.CurrentState = "Cancelled";
        ResearchTaskTransition[] decided = [.. transitions, new() { TaskId = task.CorrelationId, FromState = "AwaitingApproval", ToState = "Cancelled", Event = "TaskApprovalDecided", At = T0.AddSeconds(30).AddMilliseconds(1) }];

        var events = TaskProgressLog.Build(task, decided, [.. task.AuditEvents]);

        Assert.Equal(waiting.Select(Describe), events.Take(waiting.Count).Select(Describe));
        Assert.Single(events, e => e.Type == ProgressEventTypes.Approval);
        Assert.DoesNotContain(events, e => e.Type == ProgressEventTypes.Payment);
        var final = Assert.IsType<Final>(events[^1].Data);
        Assert.Equal("Cancelled", final.Status);
        Assert.Equal(0, final.Spent);
        Assert.Contains("rejected by alice", final.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_whose_plan_needed_no_approval_sends_no_approval_event()
    {
        var (task, transitions, audit) = PaidOneItem();

        var events = TaskProgressLog.Build(task, transitions, audit);

        Assert.Null(task.ApprovalThreshold);
        Assert.Contains(events, e => e.Type == ProgressEventTypes.Plan);
        Assert.DoesNotContain(events, e => e.Type == ProgressEventTypes.Approval);
    }

    [Fact]
    public void A_reused_item_is_in_the_plan_at_no_cost_and_never_shows_as_a_payment()
    {
        var earlier = Guid.NewGuid();
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "theme", 50, "v", "anonymous", T0);
        task.Plan(
            [new SourceQuote(7, "Seven", "C", 10, 2), new SourceQuote(8, "Eight", "C", 12, 1)],
            owned: [new OwnedSource(8, earlier, T0.AddDays(-1), "{}", "charge-1", null)]);
        task.AuditReused(T0.AddSeconds(2));
        Assert.Equal(NextStep.Pay, task.Continue(T0.AddSeconds(3), new DeferralOptions(), due: false));
        task.RecordPayments([new PaymentOutcome(7, PaymentResult.Paid)], T0.AddSeconds(4));
        ResearchTaskTransition[] transitions =
        [
            task.Transitions[0],
            new() { TaskId = task.CorrelationId, FromState = "Discovering", ToState = "AwaitingPayment", Event = "SourcesDiscovered", At = T0.AddSeconds(2).AddMilliseconds(1) },
            new() { TaskId = task.CorrelationId, FromState = "AwaitingPayment", ToState = "Paying", Event = "PaymentTokenIssued", At = T0.AddSeconds(3).AddMilliseconds(1) },
            new() { TaskId = task.CorrelationId, FromState = "Paying", ToState = "Retrying", Event = "ItemPaymentsMade", At = T0.AddSeconds(4).AddMilliseconds(1) },
        ];
        Assert.Contains(task.AuditEvents, e => e is { Action: AuditActions.Reused, ItemId: 8 });

        var events = TaskProgressLog.Build(task, transitions, [.. task.AuditEvents]);

        var plan = Assert.IsType<Plan>(events.Single(e => e.Type == ProgressEventTypes.Plan).Data);
        Assert.Equal([new PlannedItem(7, "Seven", 10, 2), new PlannedItem(8, "Eight", 12, 1, earlier)], plan.Items);
        Assert.Equal(10, plan.Total);
        var payment = Assert.IsType<Payment>(Assert.Single(events, e => e.Type == ProgressEventTypes.Payment).Data);
        Assert.Equal(new Payment(7, 10, "paid", 10, 40), payment);
    }

    static string Describe(ProgressEvent e) => $"{e.Id} {e.Type} {e.Data}";

    /// <summary>A task of budget 50 whose plan (item 7, price 10) is above a threshold of 5: it waits for a decision.</summary>
    static (ResearchTaskState Task, ResearchTaskTransition[] Transitions) AwaitingApproval()
    {
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "theme", 50, "v", "alice", T0);
        task.Plan([new SourceQuote(7, "Seven", "C", 10, 2), new SourceQuote(8, "Eight", "C", 60, 1)]);
        task.RequestApproval(5, T0.AddHours(24).AddSeconds(2), T0.AddSeconds(2));
        task.CurrentState = "AwaitingApproval";
        ResearchTaskTransition[] transitions =
        [
            task.Transitions[0],
            new() { TaskId = task.CorrelationId, FromState = "Submitted", ToState = "Discovering", Event = "TaskAccepted", At = T0.AddSeconds(1).AddMilliseconds(1) },
            new() { TaskId = task.CorrelationId, FromState = "Discovering", ToState = "AwaitingApproval", Event = "SourcesDiscovered", At = T0.AddSeconds(2).AddMilliseconds(1) },
        ];
        return (task, transitions);
    }

    /// <summary>A task of budget 50 that bought item 7 (price 10) of two quotes, as the saga writes its rows.</summary>
    static (ResearchTaskState Task, ResearchTaskTransition[] Transitions, AuditEvent[] Audit) PaidOneItem()
    {
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "theme", 50, "v", "anonymous", T0);
        task.Plan([new SourceQuote(7, "Seven", "C", 10, 2), new SourceQuote(8, "Eight", "C", 60, 1)]);
        Assert.Equal(NextStep.Pay, task.Continue(T0.AddSeconds(3), new DeferralOptions(), due: false));
        task.RecordPayments([new PaymentOutcome(7, PaymentResult.Paid)], T0.AddSeconds(4));
        task.RecordFetches([new FetchedItem(7, ItemFetchResult.Fetched, "{}")], T0.AddSeconds(6), new DeferralOptions());
        task.Complete("# report", T0.AddSeconds(8));
        task.CurrentState = "Completed";

        ResearchTaskTransition Step(int second, string from, string to, string @event) =>
            new() { TaskId = task.CorrelationId, FromState = from, ToState = to, Event = @event, At = T0.AddSeconds(second).AddMilliseconds(1) };

        ResearchTaskTransition[] transitions =
        [
            task.Transitions[0],
            Step(1, "Submitted", "Discovering", "TaskAccepted"),
            Step(2, "Discovering", "AwaitingPayment", "SourcesDiscovered"),
            Step(3, "AwaitingPayment", "Paying", "PaymentTokenIssued"),
            Step(4, "Paying", "Retrying", "ItemPaymentsMade"),
            Step(6, "Retrying", "Reporting", "ItemsDataFetched"),
            Step(8, "Reporting", "Completed", "ReportWritten"),
        ];
        return (task, transitions, [.. task.AuditEvents]);
    }
}
