using Microsoft.EntityFrameworkCore.Migrations;

namespace Orchestrator.Sagas.Persistence.Migrations;

/// <summary>
/// The events of the task's state machine are named as their messages since <c>OneWordPerIdea</c>; the transitions
/// stored before keep their history under the new names. The same on every provider.
/// </summary>
static class StoredEventNames
{
    static readonly (string Old, string New)[] Renamed =
    [
        ("Accepted", "TaskAccepted"),
        ("TokenIssued", "PaymentTokenIssued"),
        ("PaymentsMade", "ItemPaymentsMade"),
        ("ItemsRead", "ItemsDataFetched"),
        ("StepFailed", "ResearchStepFailed"),
        ("StepDeferred", "ResearchStepDeferred"),
        ("RetryDue", "DeferredStepDue"),
        ("Resume", "ResumeTask"),
        ("CancelRequested", "CancelTask"),
        ("DeadlinePassed", "TaskDeadlinePassed"),
        ("SettlementExpired", "TaskSettlementExpired"),
        ("ApprovalDecided", "TaskApprovalDecided"),
        ("ApprovalExpired", "TaskApprovalExpired"),
        ("DiscoveryFaulted", "DiscoverSourcesFaulted"),
        ("TokenRequestFaulted", "RequestPaymentTokenFaulted"),
        ("PaymentFaulted", "PayForItemsFaulted"),
        ("ReadFaulted", "FetchItemsDataFaulted"),
        ("ReportFaulted", "WriteReportFaulted"),
    ];

    public static void Rename(MigrationBuilder migration)
    {
        foreach (var (old, renamed) in Renamed)
            migration.Sql($"UPDATE research_task_transitions SET \"event\" = '{renamed}' WHERE \"event\" = '{old}';");
    }

    public static void Restore(MigrationBuilder migration)
    {
        foreach (var (old, renamed) in Renamed)
            migration.Sql($"UPDATE research_task_transitions SET \"event\" = '{old}' WHERE \"event\" = '{renamed}';");
    }
}
