using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SpendingControls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "approval_decided_at",
                table: "research_tasks",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "approval_decided_by",
                table: "research_tasks",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "approval_decision",
                table: "research_tasks",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "approval_expires_at",
                table: "research_tasks",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "approval_threshold",
                table: "research_tasks",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "daily_hold",
                table: "research_tasks",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "spending_day",
                table: "research_tasks",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "data_sha256",
                table: "research_task_purchases",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "marketplace",
                table: "research_task_purchases",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payment_reference",
                table: "research_task_purchases",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "reused_from",
                table: "research_task_purchases",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "owner_spending_days",
                columns: table => new
                {
                    owner_id = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false, collation: "Latin1_General_100_BIN2"),
                    day = table.Column<DateTime>(type: "datetime2", nullable: false),
                    held = table.Column<long>(type: "bigint", nullable: false),
                    spent = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_owner_spending_days", x => new { x.owner_id, x.day });
                });

            migrationBuilder.CreateIndex(
                name: "ix_research_task_purchases_item_id_paid_at",
                table: "research_task_purchases",
                columns: new[] { "item_id", "paid_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "owner_spending_days");

            migrationBuilder.DropIndex(
                name: "ix_research_task_purchases_item_id_paid_at",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "approval_decided_at",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "approval_decided_by",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "approval_decision",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "approval_expires_at",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "approval_threshold",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "daily_hold",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "spending_day",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "data_sha256",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "marketplace",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "payment_reference",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "reused_from",
                table: "research_task_purchases");
        }
    }
}
