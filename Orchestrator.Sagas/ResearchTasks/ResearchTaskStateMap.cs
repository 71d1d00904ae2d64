using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// The saga's tables, named for people reading them with plain SQL (column names are snake_case by convention).
/// </summary>
public sealed class ResearchTaskStateMap : IEntityTypeConfiguration<ResearchTaskState>
{
    public void Configure(EntityTypeBuilder<ResearchTaskState> builder)
    {
        builder.ToTable("research_tasks");
        builder.HasKey(x => x.CorrelationId);
        builder.Property(x => x.CorrelationId).HasColumnName("task_id").ValueGeneratedNever();
        builder.Property(x => x.CurrentState).HasMaxLength(64);
        builder.Property(x => x.Version).IsConcurrencyToken();
        builder.Property(x => x.Theme).HasMaxLength(TaskRules.MaxThemeLength);
        builder.Property(x => x.OwnerId).HasMaxLength(TaskRules.MaxOwnerIdLength);
        builder.Property(x => x.SubmissionKey).HasMaxLength(TaskRules.MaxSubmissionKeyLength);
        builder.Property(x => x.SubmissionHash).HasMaxLength(64);
        builder.Property(x => x.VoiceId).HasMaxLength(TaskRules.MaxVoiceIdLength);
        builder.Property(x => x.PaymentToken).HasMaxLength(256);
        builder.Property(x => x.ErrorType).HasMaxLength(64);
        builder.Property(x => x.ErrorMessage).HasMaxLength(ResearchTaskState.MaxErrorMessageLength);
        builder.Property(x => x.StopRequested).HasConversion<string>().HasMaxLength(32);
        builder.Property(x => x.LastErrorType).HasMaxLength(64);
        builder.Property(x => x.LastError).HasMaxLength(ResearchTaskState.MaxErrorMessageLength);
        builder.Ignore(x => x.PurchasesBeingPaid);
        builder.Ignore(x => x.PurchasesToFetch);
        builder.Ignore(x => x.PaymentInFlight);
        builder.Ignore(x => x.Committed);
        builder.Ignore(x => x.PlannedTotal);
        builder.Ignore(x => x.UsedOfDay);
        builder.Property(x => x.ApprovalDecision).HasConversion<string>().HasMaxLength(32);
        builder.Property(x => x.ApprovalDecidedBy).HasMaxLength(TaskRules.MaxOwnerIdLength);
        // Admission reads the oldest waiting tasks and counts the working ones through this index; its first column
        // serves every other read by state, as an index on the state alone did.
        builder.HasIndex(x => new { x.CurrentState, x.CreatedAt, x.CorrelationId });
        builder.HasIndex(x => x.DeferredUntil);
        builder.HasIndex(x => new { x.OwnerId, x.CreatedAt });
        builder.HasIndex(x => new { x.OwnerId, x.SubmissionKey }).IsUnique();

        builder.HasMany(x => x.Purchases).WithOne().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(x => x.Purchases).AutoInclude();

        builder.HasMany(x => x.Transitions).WithOne().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Cascade);

        // No cascade: the audit trail is never deleted by the service, and a task with one is never deleted either.
        builder.HasMany(x => x.AuditEvents).WithOne().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.NoAction);
    }
}

public sealed class AuditEventMap : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Actor).HasMaxLength(TaskRules.MaxOwnerIdLength);
        builder.Property(x => x.Action).HasMaxLength(32);
        builder.Property(x => x.IdempotencyKey).HasMaxLength(100);
        builder.Property(x => x.Outcome).HasMaxLength(AuditEvent.MaxOutcomeLength);
        builder.HasIndex(x => new { x.TaskId, x.Id });
    }
}

public sealed class ResearchTaskPurchaseMap : IEntityTypeConfiguration<ResearchTaskPurchase>
{
    public void Configure(EntityTypeBuilder<ResearchTaskPurchase> builder)
    {
        builder.ToTable("research_task_purchases");
        builder.HasKey(x => new { x.TaskId, x.ItemId });
        builder.Property(x => x.ItemId).ValueGeneratedNever();
        builder.Property(x => x.Title).HasMaxLength(ResearchTaskPurchase.MaxTextLength);
        builder.Property(x => x.Company).HasMaxLength(ResearchTaskPurchase.MaxTextLength);
        builder.Property(x => x.SkipReason).HasMaxLength(ResearchTaskPurchase.MaxSkipReasonLength);
        builder.Property(x => x.IdempotencyKey).HasMaxLength(100);
        builder.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(x => x.DataSha256).HasMaxLength(64);
        builder.Property(x => x.PaymentReference).HasMaxLength(ResearchTaskPurchase.MaxReferenceLength);
        builder.Property(x => x.Marketplace).HasMaxLength(ResearchTaskPurchase.MaxMarketplaceLength);
        builder.Property(x => x.X402Amount).HasColumnName("x402_amount").HasMaxLength(ResearchTaskPurchase.MaxX402AmountLength);
        builder.Property(x => x.X402Payment).HasColumnName("x402_payment");
        builder.Property(x => x.X402PaymentHeader).HasColumnName("x402_payment_header").HasMaxLength(32);
        builder.Property(x => x.X402PaymentValidBefore).HasColumnName("x402_payment_valid_before");
        builder.Property(x => x.PaymentNetwork).HasMaxLength(ResearchTaskPurchase.MaxNetworkLength);
        builder.Property(x => x.Payer).HasMaxLength(42);
        builder.Ignore(x => x.IsX402);
        // What an owner bought that may be reused: looked up by item and time at every discovery.
        builder.HasIndex(x => new { x.ItemId, x.PaidAt });
    }
}

public sealed class ResearchTaskTransitionMap : IEntityTypeConfiguration<ResearchTaskTransition>
{
    public void Configure(EntityTypeBuilder<ResearchTaskTransition> builder)
    {
        builder.ToTable("research_task_transitions");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.FromState).HasMaxLength(64);
        builder.Property(x => x.ToState).HasMaxLength(64);
        builder.Property(x => x.Event).HasMaxLength(128);
        builder.HasIndex(x => new { x.TaskId, x.Id });
    }
}
