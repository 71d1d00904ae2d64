using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// One owner's UTC day under <c>Spending:DailyLimitPerOwner</c> (<c>owner_spending_days</c>): <see cref="Held"/> is what
/// the plans of its unfinished tasks may still spend, <see cref="Spent"/> what its ended tasks spent. A plan is made
/// with this row locked, so <c>held + spent</c> never passes the limit however many tasks plan at once.
/// </summary>
public class OwnerSpendingDay
{
    public string OwnerId { get; set; } = null!;

    /// <summary>The day's midnight, UTC.</summary>
    public DateTime Day { get; set; }
    public long Held { get; set; }
    public long Spent { get; set; }

    /// <summary>The day a moment belongs to.</summary>
    public static DateTime Of(DateTime utc) => DateTime.SpecifyKind(utc.Date, DateTimeKind.Utc);
}

public sealed class OwnerSpendingDayMap : IEntityTypeConfiguration<OwnerSpendingDay>
{
    public void Configure(EntityTypeBuilder<OwnerSpendingDay> builder)
    {
        builder.ToTable("owner_spending_days");
        builder.HasKey(x => new { x.OwnerId, x.Day });
        builder.Property(x => x.OwnerId).HasMaxLength(TaskRules.MaxOwnerIdLength);
    }
}
