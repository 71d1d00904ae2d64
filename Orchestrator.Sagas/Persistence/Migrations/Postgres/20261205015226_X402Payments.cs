using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class X402Payments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "payer",
                table: "research_task_purchases",
                type: "character varying(42)",
                maxLength: 42,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payment_network",
                table: "research_task_purchases",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_amount",
                table: "research_task_purchases",
                type: "character varying(78)",
                maxLength: 78,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_payment",
                table: "research_task_purchases",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_payment_header",
                table: "research_task_purchases",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "x402_payment_valid_before",
                table: "research_task_purchases",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "payer",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "payment_network",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_amount",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment_header",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment_valid_before",
                table: "research_task_purchases");
        }
    }
}
