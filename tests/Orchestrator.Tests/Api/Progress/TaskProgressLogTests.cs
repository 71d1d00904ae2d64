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

    static string Describe(ProgressEvent e) => $"{e.Id} {e.Type} {e.Data}";

    /// <summary>A task of budget 50 that bought item 7 (price 10) of two quotes, as the saga writes its rows.</summary>
    static (ResearchTaskState Task, ResearchTaskTransition[] Transitions, AuditEvent[] Audit) PaidOneItem()
    {
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "theme", 50, "v", "anonymous", T0);
        task.Plan([new SourceQuote(7, "Seven", "C", 10, 2), new SourceQuote(8, "Eight", "C", 60, 1)]);
        Assert.Equal(NextStep.Pay, task.Continue(T0.AddSeconds(3), new StepRetryOptions(), due: false));
        task.RecordPayments([new PaymentOutcome(7, PaymentResult.Paid)], T0.AddSeconds(4));
        task.RecordReads([new ItemRead(7, ItemReadResult.Read, "{}")], T0.AddSeconds(6), new StepRetryOptions());
        task.Complete("# report", T0.AddSeconds(8));
        task.CurrentState = "Completed";

        ResearchTaskTransition Step(int second, string from, string to, string @event) =>
            new() { TaskId = task.CorrelationId, FromState = from, ToState = to, Event = @event, At = T0.AddSeconds(second).AddMilliseconds(1) };

        ResearchTaskTransition[] transitions =
        [
            task.Transitions[0],
            Step(1, "Submitted", "Discovering", "Accepted"),
            Step(2, "Discovering", "AwaitingPayment", "SourcesDiscovered"),
            Step(3, "AwaitingPayment", "Paying", "TokenIssued"),
            Step(4, "Paying", "Retrying", "PaymentsMade"),
            Step(6, "Retrying", "Reporting", "ItemsRead"),
            Step(8, "Reporting", "Completed", "ReportWritten"),
        ];
        return (task, transitions, [.. task.AuditEvents]);
    }
}
