using System.Diagnostics.Metrics;
using MassTransit;
using MassTransit.Middleware.InMemoryOutbox;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// The service's own instruments (meter <c>Orchestrator</c>): the seed's figures, counted where they happen: task
/// starts and ends by the saga, payments by the payment step, money when a charge is known.
/// </summary>
public static class TaskMetrics
{
    public const string MeterName = "Orchestrator";

    static readonly Meter Meter = new(MeterName, "1.0");

    static readonly Counter<long> Submitted = Meter.CreateCounter<long>(
        "orchestrator.tasks.submitted", "{task}", "Tasks the workflow accepted and started");

    static readonly Counter<long> Finished = Meter.CreateCounter<long>(
        "orchestrator.tasks.finished", "{task}", "Tasks that ended, by final status and error type");

    // Workflows take seconds to minutes: the default buckets (made for milliseconds) would put all of them in a few.
    static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "orchestrator.task.duration", "s", "Time from a task's creation to its end",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600] });

    static readonly Counter<long> Payments = Meter.CreateCounter<long>(
        "orchestrator.payments", "{payment}", "Payments made to the marketplace, by outcome: paid, unconfirmed, refused");

    static readonly Counter<long> Spend = Meter.CreateCounter<long>(
        "orchestrator.spend", "{money}", "Money the marketplace charged, in the budget's units");

    static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>(
        "orchestrator.tasks.active", "{task}", "Tasks started and not yet ended (sum it over the hosts that run the workflow)");

    static readonly Counter<long> Approvals = Meter.CreateCounter<long>(
        "orchestrator.approvals", "{decision}", "Plans that waited for approval, by outcome: approved, rejected, timed_out");

    static readonly Counter<long> Saved = Meter.CreateCounter<long>(
        "orchestrator.spend.saved", "{money}", "Money not spent because the owner's earlier purchase of an item was reused, in the budget's units");

    public static class ApprovalOutcomes
    {
        public const string Approved = "approved";
        public const string Rejected = "rejected";
        public const string TimedOut = "timed_out";
    }

    public static class PaymentOutcomes
    {
        public const string Paid = "paid";
        public const string Unconfirmed = "unconfirmed";
        public const string Refused = "refused";

        /// <summary>Not paid by choice: the seller asked more than it quoted, or offered no acceptable way to pay.</summary>
        public const string Declined = "declined";
    }

    public static void TaskStarted()
    {
        Submitted.Add(1);
        Active.Add(1);
    }

    public static void TaskEnded(string status, string? errorType, TimeSpan duration, bool wasStarted)
    {
        Finished.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("error_type", errorType ?? "none"));
        Duration.Record(Math.Max(duration.TotalSeconds, 0), new KeyValuePair<string, object?>("status", status));
        if (wasStarted)
            Active.Add(-1);
    }

    public static void PaymentMade(string outcome) => Payments.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void MoneySpent(long amount) => Spend.Add(amount);

    public static void ApprovalEnded(string outcome) => Approvals.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void SpendSaved(long amount) => Saved.Add(amount);

    /// <summary>
    /// Counts once the saga's new state is committed: a message that loses a concurrency race is retried, and counting
    /// before the commit would count it twice.
    /// </summary>
    public static void AfterCommit(this ConsumeContext context, Action count)
    {
        if (context.TryGetPayload<OutboxContext>(out var outbox))
            outbox.Add(() =>
            {
                count();
                return Task.CompletedTask;
            });
        else
            count();
    }
}
